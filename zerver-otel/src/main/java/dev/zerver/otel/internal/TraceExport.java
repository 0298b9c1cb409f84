package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.otel.SamplerSpec;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.RequestRecord;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * From finished request to exporter: the sampling decisions (head when the request finishes,
 * tail on the export thread), the export queue's view of a request, and the sink the settings
 * name. Public only for {@code ZerverOtel}; not an API.
 */
public final class TraceExport implements ExportQueue.Source<TraceExport.Finished> {
    /** Batches in flight per OTLP exporter: the next batch is encoded while these are sent. */
    static final int MAX_IN_FLIGHT = 2;

    /**
     * A finished request, its head decision (null: dropped unless a tail trigger keeps it) and the
     * limits it is judged by.
     */
    public record Finished(RequestRecord record, String headReason, Limits limits) {}

    private final OtelSettings settings;
    private final Resource resource;
    private final InstrumentationScopeInfo scope;
    private final Promotion promotion;
    private final Sampler headSampler;
    private final Set<SamplerSpec.TailTrigger> tail;
    /** The export thread's own. */
    private final TraceAssembler assembler;
    private final AtomicLong sampledOut = new AtomicLong();
    private final RouteStats routeStats;
    /**
     * Records the metrics of the requests that reach the export thread, or null: one thread
     * recording them, instead of every event loop into the same histogram points.
     */
    private final RequestMetrics metrics;

    /** Told of every trace a tail trigger kept, on the export thread (the viewer keeps them longer). */
    private volatile java.util.function.Consumer<Finished> tailKept = f -> {};

    public TraceExport(OtelSettings settings, Resource resource, InstrumentationScopeInfo scope) {
        this(settings, resource, scope, false, null);
    }

    /**
     * {@code allRoutes}: keep route windows even when no setting uses percentiles (for the trace
     * viewer). {@code metrics}: recorded on the export thread for every request queued for export
     * (the caller records the others), or null.
     */
    public TraceExport(OtelSettings settings, Resource resource, InstrumentationScopeInfo scope, boolean allRoutes,
            RequestMetrics metrics) {
        this.settings = settings;
        this.resource = resource;
        this.scope = scope;
        this.promotion = new Promotion(settings);
        this.headSampler = Sampler.traceIdRatioBased(settings.sampler().headRatio());
        this.tail = settings.sampler().tail();
        this.assembler = new TraceAssembler(settings);
        this.routeStats = new RouteStats(settings, allRoutes);
        this.metrics = metrics;
    }

    /** The queue and sink the settings name (or {@code exporter}), or null when tracing is off. */
    public ExportQueue<Finished> queue(SpanExporter exporter, PrintStream console) {
        TraceSink sink = exporter != null
                ? new SpanExporterSink(exporter, resource, scope, settings.exportTimeout().toNanos())
                : sinkFor(console);
        if (sink == null) {
            return null;
        }
        return new ExportQueue<>(sink, this, settings.maxQueueSize(), settings.maxExportBatchSize(),
                settings.scheduleDelay(), settings.exportTimeout());
    }

    private TraceSink sinkFor(PrintStream console) {
        if (settings.sdkDisabled()) {
            return null;
        }
        switch (settings.tracesExporter()) {
            case NONE:
                return null;
            case CONSOLE:
                return new ConsoleTimeline(console);
            default:
                return settings.alsoConsole() ? new TeeSink(otlp(), new ConsoleTimeline(console)) : otlp();
        }
    }

    static boolean onClasspath(String className) {
        try {
            Class.forName(className, false, TraceExport.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private TraceSink otlp() {
        String endpoint = settings.tracesEndpoint();
        switch (settings.protocol()) {
            case GRPC:
                if (!onClasspath("io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder")) {
                    throw new dev.zerver.config.ConfigException(OtelSettings.PROTOCOL, "grpc",
                            "http/protobuf or http/json, or io.grpc:grpc-netty-shaded and io.grpc:grpc-api among the"
                                    + " application's dependencies for grpc");
                }
                return new OtlpGrpcSink(endpoint != null ? endpoint : "http://localhost:4317",
                        () -> new OtlpProtoEncoder(resource, scope), MAX_IN_FLIGHT, settings.headers(), settings.gzip(),
                        settings.timeout());
            case HTTP_JSON:
                return new OtlpHttpSink(endpoint != null ? endpoint : "http://localhost:4318/v1/traces", "application/json",
                        () -> new OtlpJsonEncoder(resource, scope), MAX_IN_FLIGHT, settings.headers(), settings.gzip(),
                        settings.timeout(), null);
            default:
                return new OtlpHttpSink(endpoint != null ? endpoint : "http://localhost:4318/v1/traces",
                        "application/x-protobuf", () -> new OtlpProtoEncoder(resource, scope), MAX_IN_FLIGHT,
                        settings.headers(), settings.gzip(), settings.timeout(), null);
        }
    }

    /** The request judged: its head decision and the limits of its route, which it then joins. */
    public Finished judge(RequestRecord record) {
        Limits limits = routeStats.judgeAndRecord(record); // every request feeds the route percentiles
        return new Finished(record, headReason(record), limits);
    }

    /** Whether the request is worth queuing for export: kept by the head, or a tail trigger may keep it. */
    public boolean mayExport(Finished f) {
        if (f.headReason() == null && tail.isEmpty()) {
            sampledOut.incrementAndGet();
            return false;
        }
        return true;
    }

    /** Who is told of each trace a tail trigger keeps (on the export thread; must be quick). */
    public void onTailKept(java.util.function.Consumer<Finished> listener) {
        tailKept = listener;
    }

    public long sampledOut() {
        return sampledOut.get();
    }

    /** The reason the trace is kept ({@code head}, {@code parent}, {@code tail:error}, ...), or null. */
    public String samplingReason(Finished f) {
        return samplingReason(f.record(), f.headReason(), f.limits());
    }

    /** Whether some queue wait or park episode of the request became a span of its own. */
    public boolean promoted(Finished f) {
        return promotion.any(f.record(), f.limits());
    }

    private String samplingReason(RequestRecord r, String headReason, Limits limits) {
        if (headReason != null) {
            return headReason;
        }
        if (tail.contains(SamplerSpec.TailTrigger.ERROR) && failed(r)) {
            return "tail:error";
        }
        long duration = r.endNanos() - r.startNanos();
        if (tail.contains(SamplerSpec.TailTrigger.P99) && reached(duration, limits.p99DurationNanos())) {
            return "tail:p99";
        }
        if (tail.contains(SamplerSpec.TailTrigger.P95) && reached(duration, limits.p95DurationNanos())) {
            return "tail:p95";
        }
        if (tail.contains(SamplerSpec.TailTrigger.QUEUE) && reached(longest(r, true), limits.p95QueueNanos())) {
            return "tail:queue";
        }
        if (tail.contains(SamplerSpec.TailTrigger.PARK) && reached(longest(r, false), limits.p95ParkTotalNanos())) {
            return "tail:park";
        }
        if (tail.contains(SamplerSpec.TailTrigger.PROMOTED) && promotion.any(r, limits)) {
            return "tail:promoted";
        }
        return null;
    }

    /** A percentile trigger holds for a value above zero at or over the percentile, once the percentile is known. */
    private static boolean reached(long nanos, long percentile) {
        return percentile >= 0 && nanos > 0 && nanos >= percentile;
    }

    /** The longest queue wait ({@code queue}) or park total of the request's ended jobs. */
    private static long longest(RequestRecord r, boolean queue) {
        long max = 0;
        for (JobRecord j : r.jobs()) {
            if (j.endNanos() >= 0) {
                max = Math.max(max, queue ? (j.enqueueNanos() >= 0 ? j.durations().queueWait() : 0) : j.durations().parkWaitTotal());
            }
        }
        return max;
    }

    /**
     * The head decision, taken when a request starts: a remote parent's flag when the sampler is
     * parent-based, else the trace-id ratio. The same answer at the end decides the export.
     */
    public boolean headSampled(String traceId, String parentSpanId, boolean parentSampled) {
        if (parentSpanId != null && settings.sampler().parentBased()) {
            return parentSampled;
        }
        return headSampler.shouldSample(Context.root(), traceId, "http.server", SpanKind.SERVER,
                Attributes.empty(), List.of()).getDecision() == SamplingDecision.RECORD_AND_SAMPLE;
    }

    private String headReason(RequestRecord r) {
        if (!r.headSampled()) {
            return null;
        }
        return r.parentSpanId() != null && settings.sampler().parentBased() ? "parent" : "head";
    }

    /** A 5xx, or a required effect that failed: what the {@code error} tail trigger keeps. */
    public static boolean failed(RequestRecord r) {
        if (r.status() >= 500) {
            return true;
        }
        for (EffectRecord e : r.effects()) {
            if (e.required() && Boolean.FALSE.equals(e.success())) {
                return true;
            }
        }
        return false;
    }

    // ---- the export queue's view (on the export thread, but weight and exportableSpans) ----

    @Override
    public int weight(Finished f) {
        return 1 + f.record().sequenceCount();
    }

    /** Records the request's metrics (when this export records them), then assembles its trace unless sampling drops it. */
    @Override
    public boolean assemble(Finished f, Trace into) {
        if (metrics != null) {
            // queued for export: its exemplars may point at it when the head kept it
            metrics.record(f.record(), f.record().headSampled());
        }
        String reason = samplingReason(f.record(), f.headReason(), f.limits());
        if (reason == null) {
            sampledOut.incrementAndGet();
            return false;
        }
        assembler.assemble(f.record(), reason, f.limits(), into);
        if (reason.startsWith("tail:")) {
            tailKept.accept(f);
        }
        return true;
    }

    @Override
    public int exportableSpans(Finished f) {
        RequestRecord r = f.record();
        if (samplingReason(r, f.headReason(), f.limits()) == null) {
            sampledOut.incrementAndGet();
            return 0;
        }
        return 1 + r.steps().size() + r.effects().size() + promotion.count(r, f.limits());
    }

    // ---- for tests and tools: a fresh assembler each, so any thread may call ----

    /** The trace as SDK SpanData, or null when sampling drops it. */
    public List<SpanData> spansOf(RequestRecord record) {
        Limits limits = routeStats.current(record);
        String reason = samplingReason(record, headReason(record), limits);
        if (reason == null) {
            return null;
        }
        Trace t = new Trace();
        new TraceAssembler(settings).assemble(record, reason, limits, t);
        List<SpanData> out = new ArrayList<>(t.spanCount);
        new SpanDataConverter(resource, scope).convert(t, out);
        return out;
    }

    /**
     * The spans of requests as SDK SpanData whatever sampling says (a dropped trace is labelled
     * {@code zerver.sampling.reason=none}), in the order given: what the trace viewer shows.
     */
    public List<SpanData> spansOf(List<Finished> requests) {
        List<SpanData> out = new ArrayList<>();
        SpanDataConverter converter = new SpanDataConverter(resource, scope);
        for (Trace t : assembleAll(requests)) {
            converter.convert(t, out);
        }
        return out;
    }

    /** The requests' spans as one OTLP/JSON export request, as {@code http/json} would send them. */
    public byte[] otlpJson(List<Finished> requests) {
        Trace[] traces = assembleAll(requests);
        return new OtlpJsonEncoder(resource, scope).encode(traces, traces.length);
    }

    /** The requests' traces whatever sampling says: a dropped one carries {@code zerver.sampling.reason=none}. */
    private Trace[] assembleAll(List<Finished> requests) {
        TraceAssembler assembler = new TraceAssembler(settings);
        Trace[] traces = new Trace[requests.size()];
        for (int i = 0; i < traces.length; i++) {
            Finished f = requests.get(i);
            String reason = samplingReason(f);
            traces[i] = new Trace();
            assembler.assemble(f.record(), reason == null ? "none" : reason, f.limits(), traces[i]);
        }
        return traces;
    }

    /** Every route's window (count, failures, p50/p95/p99) as of {@code nowNanos} on the runtime clock. */
    public List<RouteStats.Summary> routes(long nowNanos) {
        return routeStats.summaries(nowNanos);
    }

    /** The console waterfall of the request, whatever sampling says. */
    public String timelineOf(RequestRecord record) {
        Trace t = new Trace();
        new TraceAssembler(settings).assemble(record, "head", routeStats.current(record), t);
        return ConsoleTimeline.render(t);
    }
}
