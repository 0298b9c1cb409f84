package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.otel.ZerverOtel;
import dev.zerver.telemetry.RequestRecord;
import java.util.Map;
import java.util.function.IntUnaryOperator;

/**
 * What the export thread does for each request, on real records of the blog: the record walk into
 * a reused trace, then OTLP protobuf encoding. {@code applyAsInt(n)} does it for the next {@code n}
 * records and returns their mean size in bytes; the API route cycles through its 512 distinct records, the post
 * page repeats its one. Its interface is a JDK type so that {@link EncodeCompare} can drive two
 * builds of it, each in a class loader of its own.
 */
public final class EncodeDriver implements IntUnaryOperator, AutoCloseable {
    private final RequestRecord[] cycle;
    private final ZerverOtel otel;
    private final TraceAssembler assembler;
    private final OtlpProtoEncoder encoder;
    private final Trace trace = new Trace();
    private int next;

    /** Starts the blog on loopback to capture its records ({@code api} or {@code page}), then stops it. */
    public EncodeDriver(String route) throws Exception {
        BlogRecords records = new BlogRecords();
        cycle = route.equals("api") ? records.manyApi.toArray(new RequestRecord[0]) : new RequestRecord[] {records.page};
        otel = ZerverOtel.builder().environment(Map.of(OtelSettings.TRACES_EXPORTER, "none")).build();
        assembler = new TraceAssembler(otel.settings());
        encoder = new OtlpProtoEncoder(otel.resource(), ZerverOtel.SCOPE);
    }

    @Override
    public int applyAsInt(int requests) {
        long bytes = 0;
        for (int i = 0; i < requests; i++) {
            assembler.assemble(cycle[next], "head", trace);
            next = (next + 1) % cycle.length;
            encoder.begin();
            encoder.add(trace);
            encoder.finish();
            bytes += encoder.length();
        }
        return (int) (bytes / Math.max(1, requests));
    }

    @Override
    public void close() {
        otel.close();
    }
}
