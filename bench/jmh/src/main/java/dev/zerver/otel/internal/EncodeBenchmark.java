package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.otel.ZerverOtel;
import dev.zerver.telemetry.RequestRecord;
import io.opentelemetry.exporter.internal.otlp.traces.LowAllocationTraceRequestMarshaler;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One finished request to OTLP protobuf bytes, two ways, on real records of the blog (its JSON API
 * route and its post page): {@code direct*} is what the export thread does (record walk into a
 * reused trace, then {@link OtlpProtoEncoder}); {@code sdk*} builds the same trace as SDK
 * {@code SpanData} and marshals it with the SDK's own low-allocation OTLP marshaler (the path the
 * built-in exporters used before). Run with {@code -prof gc} for bytes allocated per request.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EncodeBenchmark {
    /** {@code debug} is {@code ZER_VER_DEBUG_JOBS=1}: every event and every wait promoted. */
    @Param({"compact", "all", "debug"})
    public String jobEvents;

    private RequestRecord api;
    private RequestRecord page;
    private RequestRecord[] manyApi;
    private int next;
    private TraceAssembler assembler;
    private final Trace[] one = {new Trace()};
    private final Trace assembledApi = new Trace();
    private OtlpProtoEncoder encoder;
    private SpanDataConverter converter;
    private Resource otelResource;
    private final LowAllocationTraceRequestMarshaler sdkMarshaler = new LowAllocationTraceRequestMarshaler();
    private final ByteArrayOutputStream sdkOut = new ByteArrayOutputStream(64 * 1024);

    @Setup
    public void setUp() throws Exception {
        BlogRecords records = new BlogRecords();
        api = records.api;
        page = records.page;
        manyApi = records.manyApi.toArray(new RequestRecord[0]);
        ZerverOtel otel = ZerverOtel.builder().environment(jobEvents.equals("debug")
                ? Map.of(OtelSettings.TRACES_EXPORTER, "none", OtelSettings.DEBUG_JOBS, "1")
                : Map.of(OtelSettings.TRACES_EXPORTER, "none", OtelSettings.JOB_EVENTS, jobEvents)).build();
        Resource resource = otel.resource();
        otelResource = resource;
        assembler = new TraceAssembler(otel.settings());
        encoder = new OtlpProtoEncoder(resource, ZerverOtel.SCOPE);
        converter = new SpanDataConverter(resource, ZerverOtel.SCOPE);
        assembler.assemble(api, "head", assembledApi);
        System.out.printf("%n[%s] OTLP bytes per request alone: API %d (%d spans), post page %d (%d spans); SDK: API %d,"
                + " page %d; in a batch of 64: API %d, page %d%n", jobEvents, directApi(), one[0].spanCount, directPage(),
                one[0].spanCount, sdkApi(), sdkPage(), batched(api), batched(page));
    }

    private int direct(RequestRecord r) {
        assembler.assemble(r, "head", one[0]);
        encoder.begin();
        encoder.add(one[0]);
        encoder.finish();
        return encoder.length();
    }

    /** Bytes per request when 64 such requests share one export request (and its resource). */
    private int batched(RequestRecord r) {
        Trace[] batch = new Trace[64];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new Trace();
            assembler.assemble(r, "head", batch[i]);
        }
        return new OtlpProtoEncoder(otelResource, ZerverOtel.SCOPE).encode(batch, batch.length).length / batch.length;
    }

    private int sdk(RequestRecord r) throws IOException {
        Trace t = new Trace();
        assembler.assemble(r, "head", t);
        List<SpanData> spans = new ArrayList<>(t.spanCount);
        converter.convert(t, spans);
        sdkMarshaler.initialize(spans);
        try {
            sdkOut.reset();
            sdkMarshaler.writeBinaryTo(sdkOut);
            return sdkOut.size();
        } finally {
            sdkMarshaler.reset();
        }
    }

    @Benchmark
    public int directApi() {
        return direct(api);
    }

    /**
     * The API route's last 512 records in turn, each its own objects: what the export thread meets
     * (records made on other threads, no longer in this core's cache), not one record made hot.
     */
    @Benchmark
    public int directApiMany() {
        RequestRecord r = manyApi[next];
        next = next + 1 == manyApi.length ? 0 : next + 1;
        return direct(r);
    }

    /** Only the record walk of {@link #directApi}: the share of the assembler. */
    @Benchmark
    public int assembleApi() {
        assembler.assemble(api, "head", one[0]);
        return one[0].spanCount;
    }

    /** Only the encoding of {@link #directApi}, from a trace assembled once. */
    @Benchmark
    public int encodeApi() {
        encoder.begin();
        encoder.add(assembledApi);
        encoder.finish();
        return encoder.length();
    }

    @Benchmark
    public int directPage() {
        return direct(page);
    }

    @Benchmark
    public int sdkApi() throws IOException {
        return sdk(api);
    }

    @Benchmark
    public int sdkPage() throws IOException {
        return sdk(page);
    }
}
