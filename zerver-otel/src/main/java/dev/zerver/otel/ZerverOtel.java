package dev.zerver.otel;

import dev.zerver.otel.internal.ConsoleTimelineExporter;
import dev.zerver.otel.internal.ExportQueue;
import dev.zerver.otel.internal.OtlpJsonSpanExporter;
import dev.zerver.otel.internal.Promotion;
import dev.zerver.otel.internal.ResourceFactory;
import dev.zerver.otel.internal.TraceAssembler;
import dev.zerver.runtime.IdGenerator;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.RecordListener;
import dev.zerver.telemetry.RequestRecord;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporterBuilder;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporterBuilder;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * OpenTelemetry traces for a Zerver application: a {@link RecordListener} that turns every
 * finished request into spans (contract sections 2 to 6), samples them (section 7) and exports
 * them on its own thread.
 *
 * <pre>{@code
 * Zerver.builder()
 *     .listener(ZerverOtel.builder().settings(s -> s.serviceName("blog")).build())
 *     ...
 * }</pre>
 *
 * With no exporter and no endpoint configured, each request prints a waterfall on standard
 * output; {@code OTEL_EXPORTER_OTLP_ENDPOINT} sends OTLP to a collector instead. Closing it (the
 * application does so when it stops) exports what is queued.
 */
public final class ZerverOtel implements RecordListener, AutoCloseable {
    /** The instrumentation scope of every Zerver span. */
    public static final InstrumentationScopeInfo SCOPE =
            InstrumentationScopeInfo.builder("dev.zerver").setVersion("0.1.0").build();

    private final OtelSettings settings;
    private final Resource resource;
    private final TraceAssembler assembler;
    private final Promotion promotion;
    private final Sampler headSampler;
    private final ExportQueue<Finished> queue;
    private final AtomicLong sampledOut = new AtomicLong();
    private volatile boolean closed;

    private ZerverOtel(OtelSettings settings, SpanExporter exporter) {
        this.settings = settings;
        this.resource = ResourceFactory.create(settings);
        this.assembler = new TraceAssembler(settings, resource, SCOPE, IdGenerator.random());
        this.promotion = new Promotion(settings);
        this.headSampler = Sampler.traceIdRatioBased(settings.sampler().headRatio());
        this.queue = exporter == null ? null : new ExportQueue<>(exporter, this::sampledSpansOf, Finished::weight,
                settings.maxQueueSize(), settings.maxExportBatchSize(), scheduleDelay(settings, exporter),
                settings.exportTimeout());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings from the process environment, the exporter they name. */
    public static ZerverOtel fromEnvironment() {
        return builder().build();
    }

    /** A finished request and its head decision (null: dropped unless a tail trigger keeps it). */
    private record Finished(RequestRecord record, String headReason) {
        /**
         * About the spans it yields, read from a counter so that queuing costs no list copy: the
         * root plus one per step, Need and effect (a Need has no span of its own; promoted spans
         * come on top).
         */
        int weight() {
            return 1 + record.sequenceCount();
        }
    }

    /**
     * Takes the head decision (a ratio test on the trace id) and hands the record to the export
     * thread, which applies the tail triggers and builds and exports the spans. A trace the head
     * drops with no tail trigger configured is not even queued.
     */
    @Override
    public void onRequestFinished(RequestRecord record) {
        if (queue == null || closed) {
            return;
        }
        String head = headReason(record);
        if (head == null && settings.sampler().tail().isEmpty()) {
            sampledOut.incrementAndGet();
            return;
        }
        queue.offer(new Finished(record, head));
    }

    private List<SpanData> sampledSpansOf(Finished finished) {
        List<SpanData> spans = spansOf(finished.record(), finished.headReason());
        if (spans == null) {
            sampledOut.incrementAndGet();
        }
        return spans;
    }

    /**
     * The spans of a request as they would be exported, or null when sampling drops the trace.
     * Public for tests and tools that want the trace without exporting it.
     */
    public List<SpanData> spansOf(RequestRecord record) {
        return spansOf(record, headReason(record));
    }

    private List<SpanData> spansOf(RequestRecord record, String headReason) {
        if (headReason != null) {
            return assembler.assemble(record, headReason);
        }
        // Head-dropped: only a tail trigger can keep it, and both are decided on the record alone.
        Set<SamplerSpec.TailTrigger> tail = settings.sampler().tail();
        if (tail.contains(SamplerSpec.TailTrigger.ERROR) && failed(record)) {
            return assembler.assemble(record, "tail:error");
        }
        if (tail.contains(SamplerSpec.TailTrigger.PROMOTED) && promotion.any(record)) {
            return assembler.assemble(record, "tail:promoted");
        }
        return null;
    }

    private String headReason(RequestRecord r) {
        if (r.parentSpanId() != null) {
            return r.parentSampled() ? "parent" : null;
        }
        SamplingDecision d = headSampler.shouldSample(Context.root(), r.traceId(), "http.server", SpanKind.SERVER,
                Attributes.empty(), List.of()).getDecision();
        return d == SamplingDecision.RECORD_AND_SAMPLE ? "head" : null;
    }

    private static boolean failed(RequestRecord r) {
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

    public OtelSettings settings() {
        return settings;
    }

    public Resource resource() {
        return resource;
    }

    /** Spans dropped because the export queue was full (counted by their requests' weight). */
    public long droppedSpans() {
        return queue == null ? 0 : queue.droppedSpans();
    }

    /** Spans the exporter accepted. */
    public long exportedSpans() {
        return queue == null ? 0 : queue.exportedSpans();
    }

    /** Spans waiting in the export queue. */
    public int queuedSpans() {
        return queue == null ? 0 : queue.queuedSpans();
    }

    /** Traces the sampler dropped. */
    public long sampledOutTraces() {
        return sampledOut.get();
    }

    /** Exports what is queued now. */
    public CompletableResultCode flush() {
        return queue == null ? CompletableResultCode.ofSuccess() : queue.flush();
    }

    /** Exports what is queued, then stops the export thread. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (queue != null) {
                queue.close();
            }
        }
    }

    private static Duration scheduleDelay(OtelSettings s, SpanExporter exporter) {
        // A person watches the console: show each request promptly.
        if (exporter instanceof ConsoleTimelineExporter && s.scheduleDelay().compareTo(Duration.ofMillis(100)) > 0) {
            return Duration.ofMillis(100);
        }
        return s.scheduleDelay();
    }

    /** Configures the integration; {@link #build()} reads the environment and validates. */
    public static final class Builder {
        private final OtelSettings.Builder settings = OtelSettings.builder();
        private Map<String, String> environment = System.getenv();
        private SpanExporter exporter;
        private PrintStream console = System.out;

        private Builder() {}

        /** Changes settings programmatically; their environment variables still win. */
        public Builder settings(Consumer<OtelSettings.Builder> change) {
            change.accept(settings);
            return this;
        }

        /** The variables to read instead of the process environment. */
        public Builder environment(Map<String, String> variables) {
            environment = Map.copyOf(variables);
            return this;
        }

        /** Export through this exporter instead of the one the settings name. */
        public Builder exporter(SpanExporter value) {
            exporter = Objects.requireNonNull(value);
            return this;
        }

        /** Where the console timeline prints (standard output by default). */
        public Builder console(PrintStream out) {
            console = Objects.requireNonNull(out);
            return this;
        }

        /**
         * Resolves the settings and starts the export thread.
         *
         * @throws dev.zerver.config.ConfigException naming a malformed variable
         */
        public ZerverOtel build() {
            OtelSettings resolved = OtelSettings.resolve(settings, environment);
            return new ZerverOtel(resolved, exporter != null ? exporter : exporterFor(resolved));
        }

        private SpanExporter exporterFor(OtelSettings s) {
            if (s.sdkDisabled()) {
                return null;
            }
            switch (s.tracesExporter()) {
                case NONE:
                    return null;
                case CONSOLE:
                    return new ConsoleTimelineExporter(console);
                default:
                    return otlp(s);
            }
        }

        private static SpanExporter otlp(OtelSettings s) {
            String endpoint = s.tracesEndpoint() != null ? s.tracesEndpoint() : "http://localhost:4318/v1/traces";
            switch (s.protocol()) {
                case HTTP_JSON:
                    return new OtlpJsonSpanExporter(endpoint, s.headers(), s.gzip(), s.timeout());
                case GRPC:
                    OtlpGrpcSpanExporterBuilder g = OtlpGrpcSpanExporter.builder()
                            .setEndpoint(s.tracesEndpoint() != null ? s.tracesEndpoint() : "http://localhost:4317")
                            .setTimeout(s.timeout())
                            .setCompression(s.gzip() ? "gzip" : "none");
                    s.headers().forEach(g::addHeader);
                    return g.build();
                default:
                    OtlpHttpSpanExporterBuilder b = OtlpHttpSpanExporter.builder()
                            // One export at a time (the export thread waits for each), so buffers can be reused.
                            .setMemoryMode(MemoryMode.REUSABLE_DATA)
                            .setEndpoint(endpoint)
                            .setTimeout(s.timeout())
                            .setCompression(s.gzip() ? "gzip" : "none");
                    s.headers().forEach(b::addHeader);
                    return b.build();
            }
        }
    }
}
