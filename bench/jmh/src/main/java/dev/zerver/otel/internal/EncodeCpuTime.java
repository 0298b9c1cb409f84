package dev.zerver.otel.internal;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;

/**
 * What {@link EncodeBenchmark#directApiMany} and {@link EncodeBenchmark#directPage} measure,
 * reported as this thread's CPU time per request rather than wall time. On a shared virtual
 * machine, time stolen by the host counts in JMH's wall-clock figures (+-40-100% here) but not in
 * a thread's CPU time, so two builds run one after the other compare within about 10-20%.
 *
 * <pre>java -cp bench/jmh/target/benchmarks.jar dev.zerver.otel.internal.EncodeCpuTime [api|page] [warm|cold]</pre>
 *
 * {@code cold} evicts the caches (writes 8 MB) before each request and times each request alone:
 * a record walked after it has left the caches, as the export thread meets it when a batch has
 * waited. Warms up for five rounds, then prints the median of seven.
 */
public final class EncodeCpuTime {
    private static final byte[] EVICTION = new byte[8 << 20];
    /** Read-modify-write, so that the eviction loop has an effect the JIT must keep. */
    private static int evicted;

    private EncodeCpuTime() {}

    public static void main(String[] args) throws Exception {
        String route = args.length > 0 ? args[0] : "api";
        boolean cold = args.length > 1 && args[1].equals("cold");
        if (!route.equals("api") && !route.equals("page") || args.length > 1 && !cold && !args[1].equals("warm")) {
            System.err.println("usage: EncodeCpuTime [api|page] [warm|cold] (not " + String.join(" ", args) + ")");
            System.exit(2);
        }
        EncodeDriver driver = new EncodeDriver(route);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        int perRound = cold ? 5_000 : 100_000;
        double[] nanosPerRequest = new double[7];
        int bytes = 0;
        for (int round = -5; round < nanosPerRequest.length; round++) {
            long spent = 0;
            if (cold) { // each request timed alone, right after the eviction; the clock reads' own cost taken off
                long clockReads = 0;
                for (int i = 0; i < perRound; i++) {
                    evictCaches();
                    long start = threads.getCurrentThreadCpuTime();
                    clockReads -= start - threads.getCurrentThreadCpuTime();
                    start = threads.getCurrentThreadCpuTime();
                    bytes = driver.applyAsInt(1);
                    spent += threads.getCurrentThreadCpuTime() - start;
                }
                spent -= clockReads;
            } else {
                long start = threads.getCurrentThreadCpuTime();
                bytes = driver.applyAsInt(perRound);
                spent = threads.getCurrentThreadCpuTime() - start;
            }
            if (round >= 0) {
                nanosPerRequest[round] = spent / (double) perRound;
            }
        }
        Arrays.sort(nanosPerRequest);
        System.out.printf("%s record to OTLP protobuf%s: %.2f us CPU per request (median of %d rounds, %.2f-%.2f), %d bytes%n",
                route, cold ? ", caches evicted before each" : "", nanosPerRequest[nanosPerRequest.length / 2] / 1000,
                nanosPerRequest.length, nanosPerRequest[0] / 1000, nanosPerRequest[nanosPerRequest.length - 1] / 1000,
                bytes);
        driver.close();
        System.exit(0);
    }

    private static void evictCaches() {
        for (int i = 0; i < EVICTION.length; i += 64) {
            evicted += EVICTION[i]++;
        }
    }
}
