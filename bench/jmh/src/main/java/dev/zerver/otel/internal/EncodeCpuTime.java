package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.otel.ZerverOtel;
import dev.zerver.telemetry.RequestRecord;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Map;

/**
 * What {@link EncodeBenchmark#directApiMany} and {@link EncodeBenchmark#directPage} measure,
 * reported as this thread's CPU time per request rather than wall time. On a shared virtual
 * machine, time stolen by the host counts in JMH's wall-clock figures (+-40-100% here) but not in
 * a thread's CPU time, so two builds run one after the other compare within about 10%.
 *
 * <pre>java -cp bench/jmh/target/benchmarks.jar dev.zerver.otel.internal.EncodeCpuTime [api|page]</pre>
 *
 * Warms up for five rounds of 100,000 requests, then prints the median of seven.
 */
public final class EncodeCpuTime {
    private static final int PER_ROUND = 100_000;

    private EncodeCpuTime() {}

    public static void main(String[] args) throws Exception {
        String route = args.length > 0 ? args[0] : "api";
        if (!route.equals("api") && !route.equals("page")) {
            System.err.println("usage: EncodeCpuTime [api|page] (not '" + route + "')");
            System.exit(2);
        }
        BlogRecords records = new BlogRecords();
        RequestRecord[] cycle = route.equals("api") ? records.manyApi.toArray(new RequestRecord[0]) : new RequestRecord[] {records.page};
        ZerverOtel otel = ZerverOtel.builder().environment(Map.of(OtelSettings.TRACES_EXPORTER, "none")).build();
        TraceAssembler assembler = new TraceAssembler(otel.settings());
        OtlpProtoEncoder encoder = new OtlpProtoEncoder(otel.resource(), ZerverOtel.SCOPE);
        Trace trace = new Trace();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[] nanosPerRequest = new double[7];
        long bytes = 0;
        for (int round = -5; round < nanosPerRequest.length; round++) {
            bytes = 0;
            long before = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < PER_ROUND; i++) {
                assembler.assemble(cycle[i % cycle.length], "head", trace);
                encoder.begin();
                encoder.add(trace);
                encoder.finish();
                bytes += encoder.length();
            }
            if (round >= 0) {
                nanosPerRequest[round] = (threads.getCurrentThreadCpuTime() - before) / (double) PER_ROUND;
            }
        }
        Arrays.sort(nanosPerRequest);
        System.out.printf("%s record to OTLP protobuf: %.2f us CPU per request (median of %d rounds, %.2f-%.2f), %d bytes%n",
                route, nanosPerRequest[nanosPerRequest.length / 2] / 1000, nanosPerRequest.length, nanosPerRequest[0] / 1000,
                nanosPerRequest[nanosPerRequest.length - 1] / 1000, bytes / PER_ROUND);
        otel.close();
        System.exit(0);
    }
}
