package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.ParkEpisode;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.telemetry.StepRecord;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.metrics.DoubleHistogram;
import io.opentelemetry.api.metrics.LongCounter;
import io.opentelemetry.api.metrics.Meter;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.SdkMeterProvider;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.metrics.export.PeriodicMetricReader;
import io.opentelemetry.sdk.resources.Resource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The metrics of the trace model (docs/trace-model.md, "Metrics") through the OpenTelemetry
 * metrics SDK, recorded from every finished request's record, whether its trace is kept or not.
 * Exemplars point only at traces that are exported: a measurement carries the request's span
 * context only when its head decision kept it and it was queued for export. Called from any
 * thread: the export thread records the requests queued for export ({@link TraceExport}), the
 * thread that finished a request records the others.
 *
 * <p>Attribute sets are built once per distinct combination (routes, queues, steps and effects are
 * bounded by the application) and reused.
 */
public final class RequestMetrics implements AutoCloseable {
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> SCHEME = AttributeKey.stringKey("url.scheme");
    static final AttributeKey<String> ROUTE_SHORT = AttributeKey.stringKey("route");
    static final AttributeKey<String> STATUS_CLASS = AttributeKey.stringKey("status_class");
    static final AttributeKey<String> STEP = AttributeKey.stringKey("step");
    static final AttributeKey<String> EFFECT_KIND = AttributeKey.stringKey("effect.kind");
    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("operation");
    static final AttributeKey<Boolean> REQUIRED = AttributeKey.booleanKey("required");
    static final AttributeKey<Boolean> SUCCESS = AttributeKey.booleanKey("success");
    static final AttributeKey<String> QUEUE = AttributeKey.stringKey("queue");
    static final AttributeKey<String> JOB_TYPE = AttributeKey.stringKey("job.type");
    static final AttributeKey<String> CAUSE = AttributeKey.stringKey("cause");
    static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("namespace");

    private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx", "6xx", "7xx", "8xx", "9xx"};
    /** Status codes as strings made once: a key part that allocates nothing. */
    private static final String[] STATUS_TEXTS = new String[1000];

    static {
        for (int i = 0; i < STATUS_TEXTS.length; i++) {
            STATUS_TEXTS[i] = Integer.toString(i);
        }
    }

    private final SdkMeterProvider provider;
    private final DoubleHistogram requestDuration;
    private final DoubleHistogram serverDurationMs;
    private final DoubleHistogram stepDuration;
    private final DoubleHistogram effectDuration;
    private final DoubleHistogram queueWait;
    private final DoubleHistogram dispatch;
    private final DoubleHistogram runActive;
    private final DoubleHistogram parkWait;
    private final LongCounter retries;
    private final Map<String, AtomicLong> depthByQueue = new ConcurrentHashMap<>();
    private final Map<String, long[]> cacheByNamespace = new ConcurrentHashMap<>();
    private final Map<Key, Attributes> attributes = new ConcurrentHashMap<>();
    /** Each recording thread's lookup key, so that finding a known attribute set allocates nothing. */
    private final ThreadLocal<Key> probe = ThreadLocal.withInitial(Key::new);

    /**
     * Up to five parts naming one attribute set; the first says which instrument family it is for.
     * All strings (booleans and status codes as constant texts), so hashing and comparing them is
     * one monomorphic call per part, and mostly an identity check: the parts come from the same
     * route, step, queue and effect definitions request after request.
     */
    private static final class Key {
        String a;
        String b;
        String c;
        String d;
        String e;

        Key set(String a, String b, String c, String d, String e) {
            this.a = a;
            this.b = b;
            this.c = c;
            this.d = d;
            this.e = e;
            return this;
        }

        Key copy() {
            return new Key().set(a, b, c, d, e);
        }

        private static boolean same(String x, String y) {
            return x == y || (x != null && x.equals(y));
        }

        private static int hash(String x) {
            return x == null ? 0 : x.hashCode();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && same(a, k.a) && same(b, k.b) && same(c, k.c) && same(d, k.d) && same(e, k.e);
        }

        @Override
        public int hashCode() {
            return (((hash(a) * 31 + hash(b)) * 31 + hash(c)) * 31 + hash(d)) * 31 + hash(e);
        }
    }

    public RequestMetrics(OtelSettings settings, Resource resource, MetricExporter exporter) {
        provider = SdkMeterProvider.builder().setResource(resource)
                .registerMetricReader(PeriodicMetricReader.builder(exporter)
                        .setInterval(settings.metricExportInterval()).build())
                .build();
        Meter meter = provider.get("dev.zerver");
        requestDuration = meter.histogramBuilder("http.server.request.duration").setUnit("s")
                .setDescription("Duration of HTTP server requests.")
                .setExplicitBucketBoundariesAdvice(List.of(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0,
                        2.5, 5.0, 7.5, 10.0))
                .build();
        serverDurationMs = ms(meter, "http.server.duration_ms", "Request duration by route and status class.");
        stepDuration = ms(meter, "zerver.step.duration_ms", "Time a step's code ran.");
        effectDuration = ms(meter, "zerver.effect.duration_ms", "Time from an effect's start to its end, parks included.");
        queueWait = ms(meter, "zerver.job.queue_wait_ms", "Time a job waited in its queue.");
        dispatch = ms(meter, "zerver.job.dispatch_ms", "Time from a job's take to its start.");
        runActive = ms(meter, "zerver.job.run_active_ms", "Time a job ran, parks excluded.");
        parkWait = ms(meter, "zerver.job.park_wait_ms", "Length of each park episode, by cause.");
        retries = meter.counterBuilder("zerver.job.retries_total").setUnit("{retry}")
                .setDescription("Effect attempts after the first.").build();
        meter.gaugeBuilder("zerver.job.depth").ofLongs().setUnit("{job}")
                .setDescription("Jobs waiting in the queue, as last seen by a worker taking one.")
                .buildWithCallback(m -> depthByQueue.forEach((q, d) -> m.record(d.get(), attributes("depth", q, null, null, null))));
        meter.gaugeBuilder("cache.hit_ratio").setUnit("1").setDescription("Cache lookups that hit, since start.")
                .buildWithCallback(m -> cacheByNamespace.forEach((ns, c) -> {
                    synchronized (c) {
                        if (c[1] > 0) {
                            m.record((double) c[0] / c[1], attributes("cache", ns, null, null, null));
                        }
                    }
                }));
    }

    private static DoubleHistogram ms(Meter meter, String name, String description) {
        return meter.histogramBuilder(name).setUnit("ms").setDescription(description).build();
    }

    private Attributes attributes(String a, String b, String c, String d, String e) {
        return attributes(probe.get(), a, b, c, d, e);
    }

    /** The attribute set the parts name, looked up with {@code probe} (this thread's key). */
    private Attributes attributes(Key probe, String a, String b, String c, String d, String e) {
        Key key = probe.set(a, b, c, d, e);
        Attributes found = attributes.get(key);
        return found != null ? found : attributes.computeIfAbsent(key.copy(), RequestMetrics::build);
    }

    /** The attribute set a key names (built once per distinct key). */
    private static Attributes build(Key k) {
        switch (k.a) {
            case "http": {
                var b = Attributes.builder().put(METHOD, k.b).put(STATUS, Long.parseLong(k.d)).put(SCHEME, k.e);
                if (!k.c.isEmpty()) {
                    b.put(ROUTE, k.c);
                }
                return b.build();
            }
            case "server":
                return Attributes.of(ROUTE_SHORT, k.b, STATUS_CLASS, k.c);
            case "step":
                return Attributes.of(STEP, k.b);
            case "effect":
                return Attributes.of(EFFECT_KIND, k.b, OPERATION, k.c, REQUIRED, Boolean.parseBoolean(k.d), SUCCESS,
                        Boolean.parseBoolean(k.e));
            case "retry":
                return Attributes.of(ROUTE_SHORT, k.b, JOB_TYPE, k.c);
            case "job":
                return Attributes.of(QUEUE, k.b, ROUTE_SHORT, k.c, JOB_TYPE, k.d);
            case "park":
                return Attributes.of(QUEUE, k.b, ROUTE_SHORT, k.c, JOB_TYPE, k.d,
                        CAUSE, k.e);
            case "depth":
                return Attributes.of(QUEUE, k.b);
            default:
                return Attributes.of(NAMESPACE, k.b);
        }
    }

    /**
     * Records one finished request. {@code exported}: its trace was kept by the head decision and
     * queued for export, so its exemplars may point at it.
     */
    public void record(RequestRecord r, boolean exported) {
        String route = r.route() == null ? "" : r.route();
        Context context = exported && r.rootSpanId() != null
                ? Context.root().with(Span.wrap(SpanContext.create(r.traceId(), r.rootSpanId(), TraceFlags.getSampled(),
                        TraceState.getDefault())))
                : Context.root();
        Key probe = this.probe.get();
        long durationNanos = Math.max(0, r.endNanos() - r.startNanos());
        int status = r.status();
        String method = r.method();
        String scheme = r.scheme();
        requestDuration.record(durationNanos / 1e9, attributes(probe, "http", method, route, STATUS_TEXTS[Math.floorMod(status, 1000)], scheme), context);
        String statusClass = STATUS_CLASSES[Math.floorMod(status / 100, 10)];
        serverDurationMs.record(durationNanos / 1e6, attributes(probe, "server", route, statusClass, null, null), context);

        List<StepRecord> steps = r.steps();
        for (int i = 0; i < steps.size(); i++) {
            StepRecord s = steps.get(i);
            if (s.endNanos() >= 0) {
                String name = s.name();
                stepDuration.record((s.endNanos() - s.startNanos()) / 1e6,
                        attributes(probe, "step", name, null, null, null), Context.root());
            }
        }
        List<JobRecord> jobs = r.jobs();
        List<EffectRecord> effects = r.effects();
        for (int i = 0; i < effects.size(); i++) {
            EffectRecord e = effects.get(i);
            JobRecord job = jobOf(jobs, e.jobId());
            if (job != null && job.endNanos() >= 0 && job.startNanos() >= 0) {
                boolean success = Boolean.TRUE.equals(e.success());
                effectDuration.record((job.endNanos() - job.startNanos()) / 1e6,
                        attributes(probe, "effect", e.kind(), e.operation(), e.required() ? "true" : "false",
                                success ? "true" : "false"), Context.root());
            }
            if (e.attempts() > 1) {
                String type = job == null ? "effect" : job.type().value();
                retries.add(e.attempts() - 1, attributes(probe, "retry", route, type, null, null), context);
            }
            if ("cache".equals(e.kind())) {
                countCache(e);
            }
        }
        String lastQueue = null;
        String lastType = null;
        Attributes a = null;
        AtomicLong depth = null;
        for (int i = 0; i < jobs.size(); i++) {
            JobRecord j = jobs.get(i);
            if (j.endNanos() < 0) {
                continue;
            }
            String queue = j.queue();
            String type = j.type().value();
            if (!queue.equals(lastQueue) || !type.equals(lastType)) { // a request's jobs mostly share one set
                a = attributes(probe, "job", queue, route, type, null);
                depth = depthByQueue.computeIfAbsent(queue, q -> new AtomicLong());
                lastQueue = queue;
                lastType = type;
            }
            var d = j.durations();
            if (j.enqueueNanos() >= 0) {
                queueWait.record(d.queueWait() / 1e6, a, Context.root());
                depth.lazySet(j.depthAtTake());
            }
            dispatch.record(d.dispatch() / 1e6, a, Context.root());
            runActive.record(d.runActive() / 1e6, a, Context.root());
            List<ParkEpisode> parks = j.parks();
            for (int k = 0; k < parks.size(); k++) {
                ParkEpisode p = parks.get(k);
                String cause = p.cause().value();
                parkWait.record(Promotion.length(j, p) / 1e6,
                        attributes(probe, "park", queue, route, type, cause), context);
            }
        }
    }

    private static JobRecord jobOf(List<JobRecord> jobs, int id) {
        for (int i = 0; i < jobs.size(); i++) {
            if (jobs.get(i).id() == id) {
                return jobs.get(i);
            }
        }
        return null;
    }

    private void countCache(EffectRecord e) {
        if (e.attribute("cache.hit") instanceof Boolean b) {
            long[] c = cacheByNamespace.computeIfAbsent(e.target(), t -> new long[2]);
            synchronized (c) {
                c[0] += b ? 1 : 0;
                c[1]++;
            }
        }
    }

    /**
     * The metrics the settings ask for ({@code OTEL_METRICS_EXPORTER}), or null for none. OTLP
     * metrics go over the metrics protocol: {@code http/protobuf} and {@code grpc} through the
     * SDK's exporters (gRPC on grpc-java, which the application adds), {@code http/json} through
     * Zerver's own encoder.
     */
    public static RequestMetrics create(OtelSettings settings, Resource resource, java.io.PrintStream console) {
        if (settings.sdkDisabled() || settings.metricsExporter() == OtelSettings.TracesExporter.NONE) {
            return null;
        }
        MetricExporter exporter;
        if (settings.metricsExporter() == OtelSettings.TracesExporter.CONSOLE) {
            exporter = new ConsoleMetricExporter(console);
        } else {
            exporter = otlp(settings);
        }
        return new RequestMetrics(settings, resource, exporter);
    }

    private static MetricExporter otlp(OtelSettings settings) {
        String endpoint = settings.metricsEndpoint();
        switch (settings.metricsProtocol()) {
            case GRPC: {
                if (!TraceExport.onClasspath("io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder")) {
                    throw new dev.zerver.config.ConfigException(OtelSettings.METRICS_PROTOCOL + " (or " + OtelSettings.PROTOCOL
                            + ")", "grpc", "http/protobuf or http/json, or io.grpc:grpc-netty-shaded and io.grpc:grpc-api"
                                    + " among the application's dependencies for grpc");
                }
                var b = io.opentelemetry.exporter.otlp.metrics.OtlpGrpcMetricExporter.builder()
                        .setEndpoint(endpoint != null ? endpoint : "http://localhost:4317")
                        .setTimeout(settings.metricsTimeout())
                        .setCompression(settings.metricsGzip() ? "gzip" : "none")
                        .setComponentLoader(new GrpcSenderLoader());
                settings.metricsHeaders().forEach(b::addHeader);
                return b.build();
            }
            case HTTP_JSON:
                return new OtlpJsonMetricExporter(endpoint != null ? endpoint : "http://localhost:4318/v1/metrics",
                        settings.metricsHeaders(), settings.metricsGzip(), settings.metricsTimeout());
            default: {
                var b = io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter.builder()
                        .setEndpoint(endpoint != null ? endpoint : "http://localhost:4318/v1/metrics")
                        .setTimeout(settings.metricsTimeout())
                        .setCompression(settings.metricsGzip() ? "gzip" : "none");
                settings.metricsHeaders().forEach(b::addHeader);
                return b.build();
            }
        }
    }

    /** Gives the SDK's gRPC exporter Zerver's grpc-java sender, and the usual service loading otherwise. */
    private static final class GrpcSenderLoader implements io.opentelemetry.common.ComponentLoader {
        private final io.opentelemetry.common.ComponentLoader others =
                io.opentelemetry.common.ComponentLoader.forClassLoader(RequestMetrics.class.getClassLoader());

        @Override
        public <T> Iterable<T> load(Class<T> spi) {
            if (spi == io.opentelemetry.sdk.common.export.GrpcSenderProvider.class) {
                return java.util.List.of(spi.cast(GrpcJavaSender.PROVIDER));
            }
            return others.load(spi);
        }
    }

    /** Exports what has been recorded now. */
    public CompletableResultCode flush() {
        return provider.forceFlush();
    }

    @Override
    public void close() {
        provider.shutdown().join(10, TimeUnit.SECONDS);
    }
}
