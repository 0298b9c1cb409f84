package dev.zerver.otel;

import dev.zerver.config.KnownSettings;
import dev.zerver.otel.internal.ExportQueue;
import dev.zerver.otel.internal.RequestMetrics;
import dev.zerver.otel.internal.ResourceFactory;
import dev.zerver.otel.internal.TraceExport;
import dev.zerver.otel.viewer.TraceViewer;
import dev.zerver.otel.viewer.ViewerSettings;
import dev.zerver.telemetry.ExecutionScopes;
import dev.zerver.telemetry.HeadSampler;
import dev.zerver.telemetry.Propagation;
import dev.zerver.telemetry.RecordListener;
import dev.zerver.telemetry.RequestRecord;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.MDC;

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
public final class ZerverOtel implements RecordListener, HeadSampler, Propagation, ExecutionScopes, KnownSettings,
        AutoCloseable {
    /** The MDC keys of the current request's trace and span while Zerver runs its code. */
    public static final String MDC_TRACE_ID = "trace_id";
    public static final String MDC_SPAN_ID = "span_id";

    /** The instrumentation scope of every Zerver span. */
    public static final InstrumentationScopeInfo SCOPE =
            InstrumentationScopeInfo.builder("dev.zerver").setVersion("0.1.0").build();

    private final OtelSettings settings;
    private final Resource resource;
    private final TraceExport export;
    private final ExportQueue<TraceExport.Finished> queue;
    private final RequestMetrics metrics;
    private final ViewerSettings viewerSettings;
    private final TraceViewer viewer;
    private volatile boolean closed;

    private ZerverOtel(OtelSettings settings, Resource resource, TraceExport export,
            ExportQueue<TraceExport.Finished> queue, RequestMetrics metrics, ViewerSettings viewerSettings,
            TraceViewer viewer) {
        this.metrics = metrics;
        this.viewerSettings = viewerSettings;
        this.viewer = viewer;
        this.settings = settings;
        this.resource = resource;
        this.export = export;
        this.queue = queue;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings from the process environment, the exporter they name. */
    public static ZerverOtel fromEnvironment() {
        return builder().build();
    }

    @Override
    public Set<String> settingNames() {
        Set<String> names = new java.util.HashSet<>(KnownSettings.constantsOf(OtelSettings.class));
        names.addAll(KnownSettings.constantsOf(ViewerSettings.class));
        return names;
    }

    @Override
    public Map<String, String> describe() {
        Map<String, String> m = new java.util.LinkedHashMap<>(settings.describe());
        m.putAll(viewerSettings.describe());
        return m;
    }

    /**
     * While a step, continuation or effect handler runs: its span is the current OpenTelemetry
     * {@code Context} (spans made through the OpenTelemetry API nest under it) and the logging MDC
     * holds {@code trace_id} and {@code span_id}; both are restored when it returns.
     */
    @Override
    public Scope enter(RequestRecord record, String spanId) {
        if (spanId == null) {
            return NOTHING;
        }
        SpanContext span = SpanContext.create(record.traceId(), spanId,
                record.headSampled() ? TraceFlags.getSampled() : TraceFlags.getDefault(), TraceState.getDefault());
        Context context = Context.root();
        if (record.baggage() != null) {
            context = W3CBaggagePropagator.getInstance().extract(context, record.baggage(), BAGGAGE_HEADER);
        }
        io.opentelemetry.context.Scope current = context.with(Span.wrap(span)).makeCurrent();
        String previousTrace = MDC.get(MDC_TRACE_ID);
        String previousSpan = MDC.get(MDC_SPAN_ID);
        MDC.put(MDC_TRACE_ID, record.traceId());
        MDC.put(MDC_SPAN_ID, spanId);
        return () -> {
            restore(MDC_TRACE_ID, previousTrace);
            restore(MDC_SPAN_ID, previousSpan);
            current.close();
        };
    }

    /** Reads the raw {@code baggage} header value as the propagator's only carrier field. */
    @SuppressWarnings("deprecation") // keys() is still abstract in TextMapGetter: it must be implemented
    private static final TextMapGetter<String> BAGGAGE_HEADER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of("baggage");
        }

        @Override
        public String get(String carrier, String key) {
            return "baggage".equals(key) ? carrier : null;
        }
    };

    private static void restore(String key, String previous) {
        if (previous == null) {
            MDC.remove(key);
        } else {
            MDC.put(key, previous);
        }
    }

    /** {@code OTEL_PROPAGATORS} has {@code tracecontext} (the default does). */
    @Override
    public boolean traceContext() {
        return settings.propagators().contains(OtelSettings.Propagator.TRACECONTEXT);
    }

    /** {@code OTEL_PROPAGATORS} has {@code baggage} (the default does). */
    @Override
    public boolean baggage() {
        return settings.propagators().contains(OtelSettings.Propagator.BAGGAGE);
    }

    /** The head decision at the start of each request ({@link HeadSampler}); outgoing {@code traceparent} flags carry it. */
    @Override
    public boolean sampled(String traceId, String parentSpanId, boolean parentSampled) {
        return export.headSampled(traceId, parentSpanId, parentSampled);
    }

    /**
     * Judges the record against its route's percentiles (and adds it to them), then hands it to
     * the export thread, which applies the tail triggers, assembles the trace and exports it. A
     * trace the head dropped with no tail trigger configured is not even queued.
     */
    @Override
    public void onRequestFinished(RequestRecord record) {
        if (closed) {
            return;
        }
        boolean queued = false;
        if (queue != null || viewer != null) {
            TraceExport.Finished finished = export.judge(record);
            queued = queue != null && export.mayExport(finished) && queue.offer(finished);
            if (viewer != null) {
                viewer.capture(finished);
            }
        }
        if (metrics != null && !queued) {
            // A queued request's metrics are recorded by the export thread, with exemplars when the
            // head kept it; exemplars only of traces that will be exported.
            metrics.record(record, false);
        }
    }

    /**
     * The spans of a request as they would be exported, as SDK {@link SpanData}, or null when
     * sampling drops the trace. For tests and tools; the exporters do not go through SpanData.
     */
    public List<SpanData> spansOf(RequestRecord record) {
        return export.spansOf(record);
    }

    /** The console waterfall of a request (sampling aside), as the console exporter prints it. */
    public String timelineOf(RequestRecord record) {
        return export.timelineOf(record);
    }

    /** The trace viewer, when {@code ZER_VER_VIEWER_PORT} (or the builder) turned it on. */
    public Optional<TraceViewer> viewer() {
        return Optional.ofNullable(viewer);
    }

    public ViewerSettings viewerSettings() {
        return viewerSettings;
    }

    public OtelSettings settings() {
        return settings;
    }

    public Resource resource() {
        return resource;
    }

    /** Spans lost: refused by a full export queue, or given up on by the exporter after its retries. */
    public long droppedSpans() {
        return queue == null ? 0 : queue.droppedSpans();
    }

    /** Traces lost, counted as {@link #droppedSpans()}. */
    public long droppedTraces() {
        return queue == null ? 0 : queue.droppedTraces();
    }

    /** Spans the exporter delivered. */
    public long exportedSpans() {
        return queue == null ? 0 : queue.exportedSpans();
    }

    /** Traces the exporter delivered. */
    public long exportedTraces() {
        return queue == null ? 0 : queue.exportedTraces();
    }

    /** Spans waiting in the export queue. */
    public int queuedSpans() {
        return queue == null ? 0 : queue.queuedSpans();
    }

    /** Traces the sampler dropped (not exported by choice, not counted as lost). */
    public long sampledOutTraces() {
        return export.sampledOut();
    }

    /** Exports what is queued now and waits for what is in flight. */
    public CompletableResultCode flush() {
        CompletableResultCode traces = queue == null ? CompletableResultCode.ofSuccess() : queue.flush();
        if (metrics == null) {
            return traces;
        }
        // after the queue: the export thread records the metrics of the requests it drains
        CompletableResultCode both = new CompletableResultCode();
        traces.whenComplete(() -> {
            CompletableResultCode recorded = metrics.flush();
            recorded.whenComplete(() -> {
                if (traces.isSuccess() && recorded.isSuccess()) {
                    both.succeed();
                } else {
                    both.fail();
                }
            });
        });
        return both;
    }

    /** Exports what is queued, then stops the export thread. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (queue != null) {
                queue.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            if (viewer != null) {
                viewer.close();
            }
        }
    }

    /** Configures the integration; {@link #build()} reads the environment and validates. */
    public static final class Builder {
        private final OtelSettings.Builder settings = OtelSettings.builder();
        private Map<String, String> environment = withSystemProperties(System.getenv(), System.getProperties());
        private SpanExporter exporter;
        private PrintStream console = System.out;
        private final ViewerSettings.Builder viewer = ViewerSettings.builder();

        private Builder() {}

        /** Changes the trace viewer's settings (off until a port is set); their variables still win. */
        public Builder viewer(Consumer<ViewerSettings.Builder> change) {
            change.accept(viewer);
            return this;
        }

        /** Changes settings programmatically; their environment variables still win. */
        public Builder settings(Consumer<OtelSettings.Builder> change) {
            change.accept(settings);
            return this;
        }

        /**
         * The variables to read instead of the process environment (and the {@code otel.*}
         * system properties, which are otherwise read too).
         */
        public Builder environment(Map<String, String> variables) {
            environment = Map.copyOf(variables);
            return this;
        }

        /**
         * Export through this exporter instead of the one the settings name. It receives SDK
         * {@code SpanData}, built for it: slower than the built-in exporters, which encode OTLP
         * straight from the request record.
         */
        public Builder exporter(SpanExporter value) {
            exporter = Objects.requireNonNull(value);
            return this;
        }

        /**
         * The environment with the {@code otel.*} system properties added as the OpenTelemetry
         * specification allows ({@code -Dotel.service.name=blog} is {@code OTEL_SERVICE_NAME}); a
         * property wins over its variable.
         */
        static Map<String, String> withSystemProperties(Map<String, String> environment, java.util.Properties properties) {
            Map<String, String> out = new java.util.HashMap<>(environment);
            for (String name : properties.stringPropertyNames()) {
                if (name.startsWith("otel.")) {
                    out.put(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'),
                            properties.getProperty(name));
                }
            }
            return out;
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
            ViewerSettings viewing = ViewerSettings.resolve(viewer, environment);
            Resource resource = ResourceFactory.create(resolved);
            RequestMetrics metrics = RequestMetrics.create(resolved, resource, console);
            TraceExport export = new TraceExport(resolved, resource, SCOPE, viewing.enabled(), metrics);
            ExportQueue<TraceExport.Finished> queue = export.queue(exporter, console);
            TraceViewer traceViewer = viewing.enabled() ? TraceViewer.start(viewing, export) : null;
            return new ZerverOtel(resolved, resource, export, queue, metrics, viewing, traceViewer);
        }
    }
}
