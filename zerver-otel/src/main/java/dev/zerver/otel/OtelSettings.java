package dev.zerver.otel;

import dev.zerver.config.ConfigException;
import dev.zerver.config.Env;
import dev.zerver.telemetry.Redaction;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Every trace setting of the contract's section 9, resolved in one place: the builder's values,
 * each overridden by its environment variable when set. A malformed value stops start-up with a
 * {@link ConfigException} whose one-line message names the variable, the value and what it
 * accepts.
 */
public final class OtelSettings {
    private static final System.Logger LOG = System.getLogger(OtelSettings.class.getName());
    public static final String PROMOTE_QUEUE_MS = "ZER_VER_PROMOTE_QUEUE_MS";
    public static final String PROMOTE_PARK_MS = "ZER_VER_PROMOTE_PARK_MS";
    public static final String DEBUG_JOBS = "ZER_VER_DEBUG_JOBS";
    public static final String EXPORT_JOB_DEPTH = "ZER_VER_EXPORT_JOB_DEPTH";
    public static final String JOB_EVENTS = "ZER_VER_JOB_EVENTS";
    public static final String SAMPLER = "ZER_VER_SAMPLER";
    public static final String TRACES_SAMPLER = "OTEL_TRACES_SAMPLER";
    public static final String TRACES_SAMPLER_ARG = "OTEL_TRACES_SAMPLER_ARG";
    public static final String ROUTE_P95_WINDOW = "ZER_VER_METRICS_VIEW_ROUTE_P95_WINDOW";
    public static final String SDK_DISABLED = "OTEL_SDK_DISABLED";
    public static final String SERVICE_NAME = "OTEL_SERVICE_NAME";
    public static final String RESOURCE_ATTRIBUTES = "OTEL_RESOURCE_ATTRIBUTES";
    public static final String TRACES_EXPORTER = "OTEL_TRACES_EXPORTER";
    public static final String METRICS_EXPORTER = "OTEL_METRICS_EXPORTER";
    public static final String METRIC_EXPORT_INTERVAL = "OTEL_METRIC_EXPORT_INTERVAL";
    public static final String ENDPOINT = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public static final String TRACES_ENDPOINT = "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    public static final String METRICS_ENDPOINT = "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT";
    public static final String PROTOCOL = "OTEL_EXPORTER_OTLP_PROTOCOL";
    public static final String TRACES_PROTOCOL = "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL";
    public static final String HEADERS = "OTEL_EXPORTER_OTLP_HEADERS";
    public static final String TRACES_HEADERS = "OTEL_EXPORTER_OTLP_TRACES_HEADERS";
    public static final String COMPRESSION = "OTEL_EXPORTER_OTLP_COMPRESSION";
    public static final String TRACES_COMPRESSION = "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION";
    public static final String TIMEOUT = "OTEL_EXPORTER_OTLP_TIMEOUT";
    public static final String TRACES_TIMEOUT = "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT";
    public static final String METRICS_PROTOCOL = "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL";
    public static final String METRICS_HEADERS = "OTEL_EXPORTER_OTLP_METRICS_HEADERS";
    public static final String METRICS_COMPRESSION = "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION";
    public static final String METRICS_TIMEOUT = "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT";
    public static final String BSP_SCHEDULE_DELAY = "OTEL_BSP_SCHEDULE_DELAY";
    public static final String BSP_EXPORT_TIMEOUT = "OTEL_BSP_EXPORT_TIMEOUT";
    public static final String BSP_MAX_QUEUE_SIZE = "OTEL_BSP_MAX_QUEUE_SIZE";
    public static final String BSP_MAX_EXPORT_BATCH_SIZE = "OTEL_BSP_MAX_EXPORT_BATCH_SIZE";
    public static final String SEMCONV_STABILITY_OPT_IN = "OTEL_SEMCONV_STABILITY_OPT_IN";
    public static final String PROPAGATORS = "OTEL_PROPAGATORS";

    /** Where traces go. */
    public enum TracesExporter {
        /** OTLP to a collector, over {@link #protocol()}. */
        OTLP,
        /** A readable waterfall per request on standard output. */
        CONSOLE,
        /** Nowhere (records still reach other listeners). */
        NONE
    }

    /** The OTLP wire protocol. */
    public enum Protocol {
        HTTP_PROTOBUF("http/protobuf"),
        GRPC("grpc"),
        HTTP_JSON("http/json");

        private final String value;

        Protocol(String value) {
            this.value = value;
        }

        public String value() {
            return value;
        }
    }

    /** Which job lifecycle events a job's logical span carries ({@code ZER_VER_JOB_EVENTS}). */
    public enum JobEvents {
        /**
         * Only events that add to the span's duration attributes: park episodes, failures,
         * cancellations, retries, Needs and slot writes (the default).
         */
        COMPACT,
        /** Also {@code zerver.job.enqueued}, {@code taken}, {@code started} and {@code completed}. */
        ALL
    }

    /** A W3C header Zerver reads from requests and passes on ({@code OTEL_PROPAGATORS}). */
    public enum Propagator {
        /** {@code traceparent}: continue the caller's trace; tell downstream services ours. */
        TRACECONTEXT,
        /** {@code baggage}: keep the caller's baggage and pass it on. */
        BAGGAGE
    }

    /** Which HTTP attribute keys are emitted ({@code OTEL_SEMCONV_STABILITY_OPT_IN}). */
    public enum HttpSemconv {
        /** Stable keys and the old ones ({@code http/dup}, the default this release). */
        DUPLICATE,
        /** Stable keys only ({@code http}). */
        STABLE
    }

    private final Threshold promoteQueue;
    private final Threshold promotePark;
    private final boolean debugJobs;
    private final boolean exportJobDepth;
    private final JobEvents jobEvents;
    private final SamplerSpec sampler;
    private final Duration routeWindow;
    private final boolean sdkDisabled;
    private final String serviceName;
    private final String serviceVersion;
    private final String deploymentEnvironment;
    private final Map<String, String> resourceAttributes;
    private final TracesExporter tracesExporter;
    private final boolean alsoConsole;
    private final TracesExporter metricsExporter;
    private final Duration metricExportInterval;
    private final String tracesEndpoint;
    private final String metricsEndpoint;
    private final Protocol protocol;
    private final Map<String, String> headers;
    private final Protocol metricsProtocol;
    private final Map<String, String> metricsHeaders;
    private final boolean metricsGzip;
    private final Duration metricsTimeout;
    private final boolean gzip;
    private final Duration timeout;
    private final Duration scheduleDelay;
    private final Duration exportTimeout;
    private final int maxQueueSize;
    private final int maxExportBatchSize;
    private final HttpSemconv httpSemconv;
    private final java.util.Set<Propagator> propagators;

    private OtelSettings(Builder b) {
        promoteQueue = b.promoteQueue;
        promotePark = b.promotePark;
        debugJobs = b.debugJobs;
        exportJobDepth = b.exportJobDepth;
        jobEvents = b.debugJobs ? JobEvents.ALL : b.jobEvents;
        sampler = b.sampler;
        routeWindow = b.routeWindow;
        sdkDisabled = b.sdkDisabled;
        serviceName = b.serviceName;
        serviceVersion = b.serviceVersion;
        deploymentEnvironment = b.deploymentEnvironment;
        resourceAttributes = Collections.unmodifiableMap(new LinkedHashMap<>(b.resourceAttributes));
        tracesEndpoint = b.tracesEndpoint;
        metricsEndpoint = b.metricsEndpoint;
        alsoConsole = b.alsoConsole;
        tracesExporter = b.tracesExporter != null ? b.tracesExporter
                : tracesEndpoint != null ? TracesExporter.OTLP : TracesExporter.CONSOLE;
        metricsProtocol = b.metricsProtocol != null ? b.metricsProtocol : b.protocol;
        // Unset: OTLP when an endpoint is configured.
        metricsExporter = b.metricsExporter != null ? b.metricsExporter
                : metricsEndpoint != null ? TracesExporter.OTLP : TracesExporter.NONE;
        protocol = b.protocol;
        headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
        metricsHeaders = Collections.unmodifiableMap(new LinkedHashMap<>(b.metricsHeaders != null ? b.metricsHeaders : b.headers));
        metricsGzip = b.metricsGzip != null ? b.metricsGzip : b.gzip;
        metricsTimeout = b.metricsTimeout != null ? b.metricsTimeout : b.timeout;
        gzip = b.gzip;
        timeout = b.timeout;
        scheduleDelay = b.scheduleDelay;
        metricExportInterval = b.metricExportInterval.isZero() ? Duration.ofMillis(1) : b.metricExportInterval;
        exportTimeout = b.exportTimeout;
        maxQueueSize = b.maxQueueSize;
        maxExportBatchSize = Math.min(b.maxExportBatchSize, b.maxQueueSize);
        httpSemconv = b.httpSemconv;
        propagators = java.util.Collections.unmodifiableSet(java.util.EnumSet.copyOf(b.propagators));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The defaults overridden by the process environment. */
    public static OtelSettings fromEnvironment() {
        return resolve(builder(), System.getenv());
    }

    /** The builder's values, each overridden by its variable in {@code environment} when set. */
    public static OtelSettings resolve(Builder programmatic, Map<String, String> environment) {
        Env env = new Env(environment);
        Builder b = programmatic.copy();
        b.promoteQueue = threshold(env, PROMOTE_QUEUE_MS, b.promoteQueue);
        b.promotePark = threshold(env, PROMOTE_PARK_MS, b.promotePark);
        b.debugJobs = env.flag(DEBUG_JOBS, b.debugJobs);
        b.exportJobDepth = env.flag(EXPORT_JOB_DEPTH, b.exportJobDepth);
        b.jobEvents = env.parse(JOB_EVENTS, b.jobEvents, OtelSettings::jobEvents, "compact or all");
        b.sampler = sampler(env, b.sampler);
        b.routeWindow = env.duration(ROUTE_P95_WINDOW, b.routeWindow, Duration.ofSeconds(1));
        b.sdkDisabled = env.flag(SDK_DISABLED, b.sdkDisabled);
        b.serviceName = env.parse(SERVICE_NAME, b.serviceName, v -> v, "a service name");
        Map<String, String> resource = env.parse(RESOURCE_ATTRIBUTES, null, v -> keyValues(v, true),
                "comma-separated key=value pairs, values percent-encoded where needed");
        if (resource != null) {
            b.resourceAttributes.putAll(resource);
            if (resource.containsKey("service.name") && env.raw(SERVICE_NAME) == null) {
                b.serviceName = resource.get("service.name"); // OTEL_RESOURCE_ATTRIBUTES beats the builder
            }
        }
        String tracesList = env.raw(TRACES_EXPORTER);
        if (tracesList != null) {
            java.util.Set<TracesExporter> chosen = env.parse(TRACES_EXPORTER, null, OtelSettings::exporters,
                    "otlp, console or none, or the list otlp,console");
            b.tracesExporter = chosen.contains(TracesExporter.OTLP) ? TracesExporter.OTLP : chosen.iterator().next();
            b.alsoConsole = chosen.contains(TracesExporter.OTLP) && chosen.contains(TracesExporter.CONSOLE);
        }
        b.metricsExporter = env.parse(METRICS_EXPORTER, b.metricsExporter, OtelSettings::exporter, "otlp, console or none");
        b.metricExportInterval = millis(env, METRIC_EXPORT_INTERVAL, b.metricExportInterval);
        String base = env.parse(ENDPOINT, null, v -> endpoint(v), "an http:// or https:// URL");
        b.tracesEndpoint = env.parse(TRACES_ENDPOINT, base != null ? appendPath(base, "v1/traces") : b.tracesEndpoint,
                v -> endpoint(v), "an http:// or https:// URL");
        b.metricsEndpoint = env.parse(METRICS_ENDPOINT, base != null ? appendPath(base, "v1/metrics") : b.metricsEndpoint,
                v -> endpoint(v), "an http:// or https:// URL");
        // Each OTEL_EXPORTER_OTLP_TRACES_* / _METRICS_* variable, when set, replaces its generic form
        // for that signal only.
        Protocol protocol = env.parse(PROTOCOL, b.protocol, OtelSettings::protocol, "http/protobuf, grpc or http/json");
        b.protocol = env.parse(TRACES_PROTOCOL, protocol, OtelSettings::protocol, "http/protobuf, grpc or http/json");
        b.metricsProtocol = env.parse(METRICS_PROTOCOL, protocol, OtelSettings::protocol, "http/protobuf, grpc or http/json");
        // gRPC takes the endpoint as is, with no signal path
        if (b.protocol == Protocol.GRPC && base != null && environment.get(TRACES_ENDPOINT) == null) {
            b.tracesEndpoint = base;
        }
        if (b.metricsProtocol == Protocol.GRPC && base != null && environment.get(METRICS_ENDPOINT) == null) {
            b.metricsEndpoint = base;
        }
        Map<String, String> generic = headers(env, HEADERS);
        Map<String, String> traces = headers(env, TRACES_HEADERS);
        Map<String, String> metrics = headers(env, METRICS_HEADERS);
        b.metricsHeaders = new LinkedHashMap<>(b.headers);
        b.headers.putAll(traces != null ? traces : generic != null ? generic : Map.of());
        b.metricsHeaders.putAll(metrics != null ? metrics : generic != null ? generic : Map.of());
        boolean gzip = env.parse(COMPRESSION, b.gzip, OtelSettings::compression, "gzip or none");
        b.gzip = env.parse(TRACES_COMPRESSION, gzip, OtelSettings::compression, "gzip or none");
        b.metricsGzip = env.parse(METRICS_COMPRESSION, gzip, OtelSettings::compression, "gzip or none");
        Duration timeout = millis(env, TIMEOUT, b.timeout);
        b.timeout = millis(env, TRACES_TIMEOUT, timeout);
        b.metricsTimeout = millis(env, METRICS_TIMEOUT, timeout);
        b.scheduleDelay = millis(env, BSP_SCHEDULE_DELAY, b.scheduleDelay);
        b.exportTimeout = millis(env, BSP_EXPORT_TIMEOUT, b.exportTimeout);
        b.maxQueueSize = env.integer(BSP_MAX_QUEUE_SIZE, b.maxQueueSize, 1, 10_000_000);
        b.maxExportBatchSize = env.integer(BSP_MAX_EXPORT_BATCH_SIZE, b.maxExportBatchSize, 1, 10_000_000);
        b.httpSemconv = env.parse(SEMCONV_STABILITY_OPT_IN, b.httpSemconv, OtelSettings::semconv,
                "a comma-separated list such as http/dup or http");
        b.propagators = env.parse(PROPAGATORS, b.propagators, OtelSettings::propagators,
                "tracecontext, baggage, both (tracecontext,baggage) or none; b3, jaeger, xray and ottrace are not"
                        + " supported");
        return b.build();
    }

    private static Map<String, String> headers(Env env, String name) {
        return env.parse(name, null, v -> {
            Map<String, String> headers = keyValues(v, false);
            headers.forEach(OtelSettings::checkHeader);
            return headers;
        }, "comma-separated key=value pairs, values percent-encoded where needed, no control characters");
    }

    /** Refuses what would break the export request's head: a control character could start a header of its own. */
    private static void checkHeader(String name, String value) {
        if (name.isEmpty() || !name.chars().allMatch(c -> c > 32 && c < 127 && c != ':')
                || value.chars().anyMatch(c -> c < 32 && c != '\t' || c == 127)) {
            throw new IllegalArgumentException("not a valid HTTP header: " + name);
        }
    }

    private static Threshold threshold(Env env, String name, Threshold fallback) {
        return env.parse(name, fallback, Threshold::parse, "a number of milliseconds >= 0, p95 or p99");
    }

    /**
     * {@code ZER_VER_SAMPLER}, else the standard {@code OTEL_TRACES_SAMPLER} (and its argument),
     * else the builder's. When both variables are set, {@code ZER_VER_SAMPLER} wins and one line says so.
     */
    private static SamplerSpec sampler(Env env, SamplerSpec fallback) {
        SamplerSpec standard = null;
        double ratio = env.parse(TRACES_SAMPLER_ARG, 1.0, v -> {
            double r = Double.parseDouble(v);
            if (!(r >= 0 && r <= 1)) {
                throw new IllegalArgumentException();
            }
            return r;
        }, "a sampling ratio from 0 to 1");
        if (env.raw(TRACES_SAMPLER) != null) {
            standard = env.parse(TRACES_SAMPLER, null, v -> SamplerSpec.fromOtel(v, ratio),
                    "always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or"
                            + " parentbased_traceidratio");
        }
        SamplerSpec own = env.parse(SAMPLER, null, SamplerSpec::parse,
                "comma-separated clauses head:R (R from 0 to 1) and tail:T1|T2 with T one of error, promoted,"
                        + " p95, p99, queue or park");
        if (own != null && standard != null) {
            LOG.log(System.Logger.Level.WARNING, TRACES_SAMPLER + "=" + env.raw(TRACES_SAMPLER) + " is ignored: "
                    + SAMPLER + "=" + env.raw(SAMPLER) + " is also set and wins");
        }
        return own != null ? own : standard != null ? standard : fallback;
    }

    /** A comma list of exporters; {@code none} stands alone. */
    private static java.util.Set<TracesExporter> exporters(String v) {
        java.util.Set<TracesExporter> out = java.util.EnumSet.noneOf(TracesExporter.class);
        for (String part : v.split(",", -1)) {
            out.add(exporter(part.trim()));
        }
        if (out.contains(TracesExporter.NONE) && out.size() > 1) {
            throw new IllegalArgumentException(v);
        }
        return out;
    }

    private static TracesExporter exporter(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "otlp":
                return TracesExporter.OTLP;
            case "console":
            case "logging":
                return TracesExporter.CONSOLE;
            case "none":
                return TracesExporter.NONE;
            default:
                throw new IllegalArgumentException(v);
        }
    }

    private static Protocol protocol(String v) {
        for (Protocol p : Protocol.values()) {
            if (p.value.equals(v.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException(v);
    }

    /** A comma list of {@code tracecontext} and {@code baggage}, or {@code none} alone. */
    private static java.util.Set<Propagator> propagators(String v) {
        java.util.Set<Propagator> out = java.util.EnumSet.noneOf(Propagator.class);
        boolean none = false;
        for (String part : v.split(",", -1)) {
            switch (part.trim().toLowerCase(Locale.ROOT)) {
                case "tracecontext":
                    out.add(Propagator.TRACECONTEXT);
                    break;
                case "baggage":
                    out.add(Propagator.BAGGAGE);
                    break;
                case "none":
                    none = true;
                    break;
                default:
                    throw new IllegalArgumentException(v);
            }
        }
        if (none && !out.isEmpty()) {
            throw new IllegalArgumentException(v);
        }
        return out;
    }

    private static boolean compression(String v) {
        switch (v.toLowerCase(Locale.ROOT)) {
            case "gzip":
                return true;
            case "none":
                return false;
            default:
                throw new IllegalArgumentException(v);
        }
    }

    private static HttpSemconv semconv(String v) {
        boolean stable = false;
        for (String token : v.split(",", -1)) {
            String t = token.trim().toLowerCase(Locale.ROOT);
            if (t.isEmpty() || !t.matches("[a-z0-9_./-]+")) {
                throw new IllegalArgumentException(v);
            }
            if (t.equals("http/dup")) {
                return HttpSemconv.DUPLICATE; // http/dup wins over http, as the specification says
            }
            stable |= t.equals("http");
        }
        return stable ? HttpSemconv.STABLE : HttpSemconv.DUPLICATE;
    }

    private static Duration millis(Env env, String name, Duration fallback) {
        return env.parse(name, fallback, v -> {
            long ms = Long.parseLong(v);
            if (ms < 0) {
                throw new IllegalArgumentException();
            }
            return Duration.ofMillis(ms);
        }, "a whole number of milliseconds >= 0");
    }

    private static String endpoint(String v) {
        URI uri = URI.create(v);
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException(v);
        }
        return v;
    }

    private static String appendPath(String base, String path) {
        return base.endsWith("/") ? base + path : base + "/" + path;
    }

    /** Parses the W3C-baggage-like {@code k=v,k2=v2} form of OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS. */
    static Map<String, String> keyValues(String v, boolean keysWithDots) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : v.split(",", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException(pair);
            }
            String key = pair.substring(0, eq).trim();
            String value = URLDecoder.decode(pair.substring(eq + 1).trim(), StandardCharsets.UTF_8);
            if (key.isEmpty() || !key.matches(keysWithDots ? "[A-Za-z0-9_.\\-]+" : "[A-Za-z0-9_\\-]+")) {
                throw new IllegalArgumentException(key);
            }
            out.put(key, value);
        }
        return out;
    }

    // ---- read ----

    public Threshold promoteQueue() {
        return promoteQueue;
    }

    public Threshold promotePark() {
        return promotePark;
    }

    public boolean debugJobs() {
        return debugJobs;
    }

    public boolean exportJobDepth() {
        return exportJobDepth;
    }

    /** {@link JobEvents#ALL} when set so or when {@link #debugJobs()}; else compact. */
    public JobEvents jobEvents() {
        return jobEvents;
    }

    private static JobEvents jobEvents(String v) {
        switch (v.trim().toLowerCase(Locale.ROOT)) {
            case "compact":
                return JobEvents.COMPACT;
            case "all":
                return JobEvents.ALL;
            default:
                throw new IllegalArgumentException(v);
        }
    }

    public SamplerSpec sampler() {
        return sampler;
    }

    public Duration routeWindow() {
        return routeWindow;
    }

    public boolean sdkDisabled() {
        return sdkDisabled;
    }

    /** The service name, or null for the SDK's default. */
    public String serviceName() {
        return serviceName;
    }

    public String serviceVersion() {
        return serviceVersion;
    }

    public String deploymentEnvironment() {
        return deploymentEnvironment;
    }

    /** From {@code OTEL_RESOURCE_ATTRIBUTES} and the builder; they override the detected ones. */
    public Map<String, String> resourceAttributes() {
        return resourceAttributes;
    }

    public TracesExporter tracesExporter() {
        return tracesExporter;
    }

    /** {@code OTEL_TRACES_EXPORTER=otlp,console}: the console timeline too, besides OTLP. */
    public boolean alsoConsole() {
        return alsoConsole;
    }

    public TracesExporter metricsExporter() {
        return metricsExporter;
    }

    /** The full traces URL, or null when no endpoint was configured (then OTLP goes to localhost). */
    public String tracesEndpoint() {
        return tracesEndpoint;
    }

    public String metricsEndpoint() {
        return metricsEndpoint;
    }

    public Protocol protocol() {
        return protocol;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** The protocol of OTLP metrics: {@code OTEL_EXPORTER_OTLP_METRICS_PROTOCOL}, else the generic one. */
    public Protocol metricsProtocol() {
        return metricsProtocol;
    }

    /** Headers of OTLP metric exports: {@code OTEL_EXPORTER_OTLP_METRICS_HEADERS}, else the generic ones. */
    public Map<String, String> metricsHeaders() {
        return metricsHeaders;
    }

    public boolean metricsGzip() {
        return metricsGzip;
    }

    public Duration metricsTimeout() {
        return metricsTimeout;
    }

    public boolean gzip() {
        return gzip;
    }

    public Duration timeout() {
        return timeout;
    }

    public Duration scheduleDelay() {
        return scheduleDelay;
    }

    /** How often metrics are exported ({@code OTEL_METRIC_EXPORT_INTERVAL}, default 60 s). */
    public Duration metricExportInterval() {
        return metricExportInterval;
    }

    public Duration exportTimeout() {
        return exportTimeout;
    }

    public int maxQueueSize() {
        return maxQueueSize;
    }

    public int maxExportBatchSize() {
        return maxExportBatchSize;
    }

    public HttpSemconv httpSemconv() {
        return httpSemconv;
    }

    /** The W3C headers read from requests and passed on; empty for {@code OTEL_PROPAGATORS=none}. */
    public java.util.Set<Propagator> propagators() {
        return propagators;
    }

    /** The effective settings, for a start-up banner (header values are never shown). */
    public Map<String, String> describe() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(TRACES_EXPORTER, sdkDisabled ? "none (OTEL_SDK_DISABLED)"
                : tracesExporter.name().toLowerCase(Locale.ROOT) + (alsoConsole ? ",console" : ""));
        if (tracesExporter == TracesExporter.OTLP) {
            m.put(TRACES_ENDPOINT, tracesEndpoint == null ? "(SDK default)" : tracesEndpoint);
            m.put(PROTOCOL, protocol.value());
        }
        m.put(METRICS_EXPORTER, sdkDisabled ? "none (OTEL_SDK_DISABLED)" : metricsExporter.name().toLowerCase(Locale.ROOT));
        if (metricsExporter != TracesExporter.NONE && !sdkDisabled) {
            m.put(METRIC_EXPORT_INTERVAL, Long.toString(metricExportInterval.toMillis()));
        }
        if (metricsExporter == TracesExporter.OTLP && !sdkDisabled) {
            m.put(METRICS_ENDPOINT, metricsEndpoint == null ? "(SDK default)" : metricsEndpoint);
            m.put(METRICS_PROTOCOL, metricsProtocol.value());
        }
        m.put(PROMOTE_QUEUE_MS, promoteQueue.toString());
        m.put(PROMOTE_PARK_MS, promotePark.toString());
        m.put(DEBUG_JOBS, debugJobs ? "1" : "0");
        m.put(JOB_EVENTS, jobEvents.name().toLowerCase(Locale.ROOT));
        m.put(SAMPLER, sampler.toString());
        m.put(SEMCONV_STABILITY_OPT_IN, httpSemconv == HttpSemconv.STABLE ? "http" : "http/dup");
        m.put(PROPAGATORS, propagators.isEmpty() ? "none"
                : String.join(",", propagators.stream().map(p -> p.name().toLowerCase(Locale.ROOT)).toList()));
        m.replaceAll(Redaction::setting);
        return m;
    }

    /** Programmatic settings; environment variables win over them. */
    public static final class Builder {
        private Threshold promoteQueue = Threshold.DEFAULT;
        private Threshold promotePark = Threshold.DEFAULT;
        private boolean debugJobs;
        private boolean exportJobDepth;
        private JobEvents jobEvents = JobEvents.COMPACT;
        private SamplerSpec sampler = SamplerSpec.ALWAYS;
        private Duration routeWindow = Duration.ofSeconds(60);
        private boolean sdkDisabled;
        private String serviceName;
        private String serviceVersion = "0.1.0";
        private String deploymentEnvironment = "development";
        private final Map<String, String> resourceAttributes = new LinkedHashMap<>();
        private TracesExporter tracesExporter;
        private boolean alsoConsole;
        private TracesExporter metricsExporter;
        private Duration metricExportInterval = Duration.ofSeconds(60);
        private String tracesEndpoint;
        private String metricsEndpoint;
        private Protocol protocol = Protocol.HTTP_PROTOBUF;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private boolean gzip;
        private Duration timeout = Duration.ofSeconds(10);
        // Set only from the environment's _METRICS_ variables; otherwise metrics use the values above.
        private Protocol metricsProtocol;
        private Map<String, String> metricsHeaders;
        private Boolean metricsGzip;
        private Duration metricsTimeout;
        private Duration scheduleDelay = Duration.ofSeconds(5);
        private Duration exportTimeout = Duration.ofSeconds(30);
        private int maxQueueSize = 2048;
        private int maxExportBatchSize = 512;
        private HttpSemconv httpSemconv = HttpSemconv.DUPLICATE;
        private java.util.Set<Propagator> propagators = java.util.EnumSet.allOf(Propagator.class);

        private Builder() {}

        private Builder copy() {
            Builder c = new Builder();
            c.promoteQueue = promoteQueue;
            c.promotePark = promotePark;
            c.debugJobs = debugJobs;
            c.exportJobDepth = exportJobDepth;
            c.jobEvents = jobEvents;
            c.sampler = sampler;
            c.routeWindow = routeWindow;
            c.sdkDisabled = sdkDisabled;
            c.serviceName = serviceName;
            c.serviceVersion = serviceVersion;
            c.deploymentEnvironment = deploymentEnvironment;
            c.resourceAttributes.putAll(resourceAttributes);
            c.tracesExporter = tracesExporter;
            c.alsoConsole = alsoConsole;
            c.metricsExporter = metricsExporter;
            c.metricExportInterval = metricExportInterval;
            c.tracesEndpoint = tracesEndpoint;
            c.metricsEndpoint = metricsEndpoint;
            c.metricsProtocol = metricsProtocol;
            c.metricsHeaders = metricsHeaders == null ? null : new LinkedHashMap<>(metricsHeaders);
            c.metricsGzip = metricsGzip;
            c.metricsTimeout = metricsTimeout;
            c.protocol = protocol;
            c.headers.putAll(headers);
            c.gzip = gzip;
            c.timeout = timeout;
            c.scheduleDelay = scheduleDelay;
            c.exportTimeout = exportTimeout;
            c.maxQueueSize = maxQueueSize;
            c.maxExportBatchSize = maxExportBatchSize;
            c.httpSemconv = httpSemconv;
            c.propagators = java.util.EnumSet.copyOf(propagators);
            return c;
        }

        /** {@code ZER_VER_PROMOTE_QUEUE_MS}. */
        public Builder promoteQueue(Threshold value) {
            promoteQueue = Objects.requireNonNull(value);
            return this;
        }

        /** {@code ZER_VER_PROMOTE_PARK_MS}. */
        public Builder promotePark(Threshold value) {
            promotePark = Objects.requireNonNull(value);
            return this;
        }

        /** {@code ZER_VER_DEBUG_JOBS}: promote every queue wait and park of every job. */
        public Builder debugJobs(boolean value) {
            debugJobs = value;
            return this;
        }

        /** {@code ZER_VER_JOB_EVENTS}: which job lifecycle events to emit (compact by default). */
        public Builder jobEvents(JobEvents value) {
            jobEvents = Objects.requireNonNull(value);
            return this;
        }

        /** {@code ZER_VER_EXPORT_JOB_DEPTH}: export queue depths. */
        public Builder exportJobDepth(boolean value) {
            exportJobDepth = value;
            return this;
        }

        /** {@code ZER_VER_SAMPLER}. */
        public Builder sampler(SamplerSpec value) {
            sampler = Objects.requireNonNull(value);
            return this;
        }

        /** {@code OTEL_SERVICE_NAME}. */
        public Builder serviceName(String value) {
            serviceName = Objects.requireNonNull(value);
            return this;
        }

        /** {@code service.version} (default 0.1.0). */
        public Builder serviceVersion(String value) {
            serviceVersion = Objects.requireNonNull(value);
            return this;
        }

        /** {@code deployment.environment.name} (default development). */
        public Builder deploymentEnvironment(String value) {
            deploymentEnvironment = Objects.requireNonNull(value);
            return this;
        }

        /** A resource attribute; {@code OTEL_RESOURCE_ATTRIBUTES} wins for the same key. */
        public Builder resourceAttribute(String key, String value) {
            resourceAttributes.put(key, value);
            return this;
        }

        /** {@code OTEL_TRACES_EXPORTER}; unset: OTLP when an endpoint is configured, else the console. */
        public Builder tracesExporter(TracesExporter value) {
            tracesExporter = Objects.requireNonNull(value);
            return this;
        }

        /** The full traces URL ({@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT}). */
        public Builder tracesEndpoint(String url) {
            tracesEndpoint = endpoint(url);
            return this;
        }

        /** {@code OTEL_EXPORTER_OTLP_PROTOCOL}. */
        public Builder protocol(Protocol value) {
            protocol = Objects.requireNonNull(value);
            return this;
        }

        /**
         * An export request header ({@code OTEL_EXPORTER_OTLP_HEADERS}).
         *
         * @throws IllegalArgumentException when the name is not an HTTP header name or the value
         *     holds a control character (which could start a header of its own)
         */
        public Builder header(String name, String value) {
            checkHeader(name, value);
            headers.put(name, value);
            return this;
        }

        /** {@code OTEL_EXPORTER_OTLP_COMPRESSION=gzip}. */
        public Builder gzip(boolean value) {
            gzip = value;
            return this;
        }

        /** {@code OTEL_EXPORTER_OTLP_TIMEOUT}. */
        public Builder timeout(Duration value) {
            timeout = Objects.requireNonNull(value);
            return this;
        }

        /** {@code OTEL_BSP_SCHEDULE_DELAY}. */
        public Builder scheduleDelay(Duration value) {
            scheduleDelay = Objects.requireNonNull(value);
            return this;
        }

        /** {@code OTEL_BSP_MAX_QUEUE_SIZE}: spans waiting for export; past it, whole traces are dropped and counted. */
        public Builder maxQueueSize(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxQueueSize must be at least 1");
            }
            maxQueueSize = value;
            return this;
        }

        /** {@code OTEL_BSP_MAX_EXPORT_BATCH_SIZE}. */
        public Builder maxExportBatchSize(int value) {
            if (value < 1) {
                throw new IllegalArgumentException("maxExportBatchSize must be at least 1");
            }
            maxExportBatchSize = value;
            return this;
        }

        /** {@code OTEL_SEMCONV_STABILITY_OPT_IN}. */
        public Builder httpSemconv(HttpSemconv value) {
            httpSemconv = Objects.requireNonNull(value);
            return this;
        }

        /** {@code OTEL_PROPAGATORS}: the W3C headers to read and pass on (none: an empty set). */
        public Builder propagators(java.util.Set<Propagator> value) {
            propagators = java.util.EnumSet.noneOf(Propagator.class);
            propagators.addAll(value);
            return this;
        }

        /** These settings without the environment. */
        public OtelSettings build() {
            return new OtelSettings(this);
        }
    }
}
