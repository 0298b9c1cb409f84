package dev.zerver.otel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.config.ConfigException;
import dev.zerver.config.Env;
import dev.zerver.config.ZerverSettings;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Contract section 9: every variable parsed in one place; a malformed value is one line naming it. */
class OtelSettingsTest {

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "ZER_VER_PROMOTE_QUEUE_MS|-1|ZER_VER_PROMOTE_QUEUE_MS=\"-1\" is not valid: expected a number of milliseconds >= 0, p95 or p99",
        "ZER_VER_PROMOTE_QUEUE_MS|fast|ZER_VER_PROMOTE_QUEUE_MS=\"fast\" is not valid: expected a number of milliseconds >= 0",
        "ZER_VER_PROMOTE_PARK_MS|p50|ZER_VER_PROMOTE_PARK_MS=\"p50\" is not valid: expected a number of milliseconds >= 0",
        "ZER_VER_PROMOTE_PARK_MS|NaN|ZER_VER_PROMOTE_PARK_MS=\"NaN\" is not valid",
        "ZER_VER_DEBUG_JOBS|yes|ZER_VER_DEBUG_JOBS=\"yes\" is not valid: expected 0, 1, true or false",
        "ZER_VER_EXPORT_JOB_DEPTH|2|ZER_VER_EXPORT_JOB_DEPTH=\"2\" is not valid: expected 0, 1, true or false",
        "ZER_VER_SAMPLER|head:2|ZER_VER_SAMPLER=\"head:2\" is not valid: expected comma-separated clauses head:R (R from 0 to 1) and tail:T1|T2",
        "ZER_VER_SAMPLER|tail:slow|ZER_VER_SAMPLER=\"tail:slow\" is not valid: expected comma-separated clauses",
        "ZER_VER_SAMPLER|tail:p90|ZER_VER_SAMPLER=\"tail:p90\" is not valid: expected comma-separated clauses head:R (R from 0 to 1) and tail:T1|T2 with T one of error, promoted, p95, p99, queue or park",
        "OTEL_TRACES_SAMPLER|jaeger_remote|OTEL_TRACES_SAMPLER=\"jaeger_remote\" is not valid: expected always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off or parentbased_traceidratio",
        "OTEL_TRACES_SAMPLER_ARG|1.5|OTEL_TRACES_SAMPLER_ARG=\"1.5\" is not valid: expected a sampling ratio from 0 to 1",        "ZER_VER_SAMPLER|ratio:0.5|ZER_VER_SAMPLER=\"ratio:0.5\" is not valid",
        "ZER_VER_METRICS_VIEW_ROUTE_P95_WINDOW|a minute|ZER_VER_METRICS_VIEW_ROUTE_P95_WINDOW=\"a minute\" is not valid: expected a duration such as 250ms, 30s, 5m or 1h, at least 1s",
        "OTEL_SDK_DISABLED|maybe|OTEL_SDK_DISABLED=\"maybe\" is not valid: expected 0, 1, true or false",
        "OTEL_RESOURCE_ATTRIBUTES|team|OTEL_RESOURCE_ATTRIBUTES=\"team\" is not valid: expected comma-separated key=value pairs",
        "OTEL_TRACES_EXPORTER|jaeger|OTEL_TRACES_EXPORTER=\"jaeger\" is not valid: expected otlp, console or none, or the list otlp,console",
        "OTEL_TRACES_EXPORTER|none,otlp|OTEL_TRACES_EXPORTER=\"none,otlp\" is not valid: expected otlp, console or none, or the list otlp,console",
        "OTEL_METRICS_EXPORTER|prometheus|OTEL_METRICS_EXPORTER=\"prometheus\" is not valid: expected otlp, console or none",
        "OTEL_EXPORTER_OTLP_ENDPOINT|localhost:4318|OTEL_EXPORTER_OTLP_ENDPOINT=\"localhost:4318\" is not valid: expected an http:// or https:// URL",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT|ftp://x/v1/traces|OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=\"ftp://x/v1/traces\" is not valid: expected an http:// or https:// URL",
        "OTEL_EXPORTER_OTLP_PROTOCOL|http/xml|OTEL_EXPORTER_OTLP_PROTOCOL=\"http/xml\" is not valid: expected http/protobuf, grpc or http/json",
        "OTEL_EXPORTER_OTLP_HEADERS|api-key s3cr3t|OTEL_EXPORTER_OTLP_HEADERS=\"REDACTED\" is not valid: expected comma-separated key=value pairs",
        "OTEL_EXPORTER_OTLP_TRACES_HEADERS|x-team=a%0D%0AInjected: yes|OTEL_EXPORTER_OTLP_TRACES_HEADERS=\"REDACTED\" is not valid: expected comma-separated key=value pairs, values percent-encoded where needed, no control characters",
        "OTEL_EXPORTER_OTLP_ENDPOINT|hxxp://user:s3cr3t@x/|OTEL_EXPORTER_OTLP_ENDPOINT=\"hxxp://REDACTED:REDACTED@x/\" is not valid: expected an http:// or https:// URL",
        "OTEL_EXPORTER_OTLP_COMPRESSION|zstd|OTEL_EXPORTER_OTLP_COMPRESSION=\"zstd\" is not valid: expected gzip or none",
        "OTEL_EXPORTER_OTLP_TIMEOUT|10s|OTEL_EXPORTER_OTLP_TIMEOUT=\"10s\" is not valid: expected a whole number of milliseconds >= 0",
        "OTEL_BSP_SCHEDULE_DELAY|-5|OTEL_BSP_SCHEDULE_DELAY=\"-5\" is not valid: expected a whole number of milliseconds >= 0",
        "OTEL_BSP_EXPORT_TIMEOUT|soon|OTEL_BSP_EXPORT_TIMEOUT=\"soon\" is not valid: expected a whole number of milliseconds >= 0",
        "OTEL_BSP_MAX_QUEUE_SIZE|0|OTEL_BSP_MAX_QUEUE_SIZE=\"0\" is not valid: expected a whole number from 1 to 10000000",
        "OTEL_BSP_MAX_EXPORT_BATCH_SIZE|many|OTEL_BSP_MAX_EXPORT_BATCH_SIZE=\"many\" is not valid: expected a whole number from 1 to 10000000",
        "OTEL_SEMCONV_STABILITY_OPT_IN|http dup|OTEL_SEMCONV_STABILITY_OPT_IN=\"http dup\" is not valid: expected a comma-separated list such as http/dup or http",
    })
    void malformedValueStopsStartUpWithOneLine(String variable, String value, String expected) {
        assertThatThrownBy(() -> OtelSettings.resolve(OtelSettings.builder(), Map.of(variable, value)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> {
                    assertThat(e.getMessage()).startsWith(expected).doesNotContain("\n");
                    assertThat(((ConfigException) e).variable()).isEqualTo(variable);
                });
    }

    @Test
    void percentileThresholdsAndTriggersAreAccepted() {
        OtelSettings s = OtelSettings.resolve(OtelSettings.builder(), Map.of("ZER_VER_PROMOTE_QUEUE_MS", "p95",
                "ZER_VER_PROMOTE_PARK_MS", "p99", "ZER_VER_SAMPLER", "head:0.1,tail:error|p99|queue|park"));
        assertThat(s.promoteQueue()).isEqualTo(Threshold.parse("p95"));
        assertThat(s.promotePark().percentile()).isEqualTo(99);
        assertThat(s.sampler().tail()).containsExactlyInAnyOrder(SamplerSpec.TailTrigger.ERROR, SamplerSpec.TailTrigger.P99,
                SamplerSpec.TailTrigger.QUEUE, SamplerSpec.TailTrigger.PARK);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "always_on||1.0|false",
        "always_off||0.0|false",
        "traceidratio|0.25|0.25|false",
        "traceidratio||1.0|false",
        "parentbased_always_off||0.0|true",
        "parentbased_traceidratio|0.1|0.1|true",
    })
    void theStandardSamplerVariablesMapOntoTheSameSampler(String sampler, String arg, double head, boolean parentBased) {
        Map<String, String> env = arg == null ? Map.of("OTEL_TRACES_SAMPLER", sampler)
                : Map.of("OTEL_TRACES_SAMPLER", sampler, "OTEL_TRACES_SAMPLER_ARG", arg);
        SamplerSpec spec = OtelSettings.resolve(OtelSettings.builder(), env).sampler();
        assertThat(spec.headRatio()).isEqualTo(head);
        assertThat(spec.parentBased()).isEqualTo(parentBased);
        assertThat(spec.tail()).isEmpty();
    }

    @Test
    void theOtelModuleDeclaresTheVariablesItReads() {
        assertThat(ZerverOtel.builder().environment(Map.of("OTEL_TRACES_EXPORTER", "none")).build().settingNames())
                .contains("OTEL_TRACES_SAMPLER", "OTEL_EXPORTER_OTLP_HEADERS", "ZER_VER_PROMOTE_PARK_MS", "ZER_VER_SAMPLER",
                        "OTEL_METRIC_EXPORT_INTERVAL")
                .doesNotContain("OTEL_LOGS_EXPORTER"); // not read, so reported at start-up
    }

    @Test
    void signalSpecificExporterVariablesReplaceTheGenericOnes() {
        OtelSettings s = OtelSettings.resolve(OtelSettings.builder(), Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                "OTEL_EXPORTER_OTLP_HEADERS", "api-key=generic",
                "OTEL_EXPORTER_OTLP_TRACES_HEADERS", "api-key=traces,x-team=blog",
                "OTEL_EXPORTER_OTLP_COMPRESSION", "none",
                "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION", "gzip",
                "OTEL_EXPORTER_OTLP_TIMEOUT", "1000",
                "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT", "2500"));
        assertThat(s.headers()).containsExactly(Map.entry("api-key", "traces"), Map.entry("x-team", "blog"));
        assertThat(s.gzip()).isTrue();
        assertThat(s.timeout()).isEqualTo(Duration.ofMillis(2500));
        // Metrics keep the generic values: a traces variable applies to traces only.
        assertThat(s.metricsHeaders()).containsExactly(Map.entry("api-key", "generic"));
        assertThat(s.metricsGzip()).isFalse();
        assertThat(s.metricsTimeout()).isEqualTo(Duration.ofMillis(1000));
        OtelSettings generic = OtelSettings.resolve(OtelSettings.builder(), Map.of(
                "OTEL_EXPORTER_OTLP_HEADERS", "api-key=generic", "OTEL_EXPORTER_OTLP_TIMEOUT", "1000"));
        assertThat(generic.headers()).containsExactly(Map.entry("api-key", "generic"));
        assertThat(generic.timeout()).isEqualTo(Duration.ofMillis(1000));
    }

    @Test
    void aBuilderHeaderThatWouldSplitTheExportRequestIsRefused() {
        assertThatThrownBy(() -> OtelSettings.builder().header("x-team", "a\r\nInjected: yes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a valid HTTP header: x-team");
        assertThatThrownBy(() -> OtelSettings.builder().header("x team", "a"))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("not a valid HTTP header: x team");
        assertThat(OtelSettings.resolve(OtelSettings.builder().header("x-team", "blog\tteam"), Map.of()).headers())
                .containsExactly(Map.entry("x-team", "blog\tteam"));
    }

    @Test
    void metricsVariablesReplaceTheGenericOnesForMetricsOnly() {
        OtelSettings s = OtelSettings.resolve(OtelSettings.builder(), Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf",
                "OTEL_EXPORTER_OTLP_HEADERS", "api-key=generic",
                "OTEL_EXPORTER_OTLP_METRICS_HEADERS", "api-key=metrics",
                "OTEL_EXPORTER_OTLP_METRICS_COMPRESSION", "gzip",
                "OTEL_EXPORTER_OTLP_METRICS_TIMEOUT", "3000"));
        assertThat(s.protocol()).isEqualTo(OtelSettings.Protocol.GRPC);
        assertThat(s.metricsProtocol()).isEqualTo(OtelSettings.Protocol.HTTP_PROTOBUF);
        assertThat(s.metricsExporter()).as("OTLP metrics: their protocol is http/protobuf").isEqualTo(OtelSettings.TracesExporter.OTLP);
        assertThat(s.metricsHeaders()).containsExactly(Map.entry("api-key", "metrics"));
        assertThat(s.headers()).containsExactly(Map.entry("api-key", "generic"));
        assertThat(s.metricsGzip()).isTrue();
        assertThat(s.gzip()).isFalse();
        assertThat(s.metricsTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.describe()).containsEntry("OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "http/protobuf");
        assertThat(s.metricsEndpoint()).isEqualTo("http://collector:4318/v1/metrics");
        OtelSettings grpc = OtelSettings.resolve(OtelSettings.builder(), Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4317", "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL", "grpc"));
        assertThat(grpc.metricsEndpoint()).as("gRPC: the endpoint as is").isEqualTo("http://collector:4317");
        assertThat(grpc.tracesEndpoint()).isEqualTo("http://collector:4317/v1/traces");
        assertThat(grpc.metricsExporter()).isEqualTo(OtelSettings.TracesExporter.OTLP);
    }

    @Test
    void otelSystemPropertiesCountAsTheirVariablesAndWin() {
        java.util.Properties props = new java.util.Properties();
        props.setProperty("otel.service.name", "from-property");
        props.setProperty("otel.traces.sampler", "always_off");
        props.setProperty("user.home", "/root");
        Map<String, String> env = ZerverOtel.Builder.withSystemProperties(Map.of("OTEL_SERVICE_NAME", "from-env", "PATH", "/bin"), props);
        assertThat(env).containsEntry("OTEL_SERVICE_NAME", "from-property").containsEntry("OTEL_TRACES_SAMPLER", "always_off")
                .containsEntry("PATH", "/bin").doesNotContainKey("USER_HOME");
        assertThat(OtelSettings.resolve(OtelSettings.builder(), env).sampler().headRatio()).isZero();
    }

    @Test
    void zerverSamplerWinsOverTheStandardOne() {
        SamplerSpec spec = OtelSettings.resolve(OtelSettings.builder(),
                Map.of("OTEL_TRACES_SAMPLER", "always_off", "ZER_VER_SAMPLER", "head:0.5")).sampler();
        assertThat(spec.headRatio()).isEqualTo(0.5);
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "ZER_VER_QUEUE_NAME_EFFECTS|my queue|ZER_VER_QUEUE_NAME_EFFECTS=\"my queue\" is not valid: expected a non-empty name",
        "ZER_VER_QUEUE_NAME_CONT|steps/1|ZER_VER_QUEUE_NAME_CONT=\"steps/1\" is not valid: expected a non-empty name",
    })
    void queueNamesAreValidatedWithTheRuntimeSettings(String variable, String value, String expected) {
        assertThatThrownBy(() -> ZerverSettings.resolve(ZerverSettings.builder(), new Env(Map.of(variable, value))))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith(expected);
    }

    @Test
    void defaultsAreTheContracts() {
        OtelSettings s = OtelSettings.resolve(OtelSettings.builder(), Map.of());
        assertThat(s.promoteQueue()).isEqualTo(Threshold.millis(5));
        assertThat(s.promotePark()).isEqualTo(Threshold.millis(5));
        assertThat(s.debugJobs()).isFalse();
        assertThat(s.exportJobDepth()).isFalse();
        assertThat(s.sampler()).isEqualTo(SamplerSpec.ALWAYS);
        assertThat(s.routeWindow()).isEqualTo(Duration.ofSeconds(60));
        assertThat(s.tracesExporter()).isEqualTo(OtelSettings.TracesExporter.CONSOLE); // no endpoint: the console
        assertThat(s.protocol()).isEqualTo(OtelSettings.Protocol.HTTP_PROTOBUF);
        assertThat(s.httpSemconv()).isEqualTo(OtelSettings.HttpSemconv.DUPLICATE);
        assertThat(s.maxQueueSize()).isEqualTo(2048);
        assertThat(s.maxExportBatchSize()).isEqualTo(512);
    }

    @Test
    void environmentWinsOverTheBuilder() {
        OtelSettings.Builder b = OtelSettings.builder().promoteQueue(Threshold.millis(50)).debugJobs(false)
                .serviceName("from-code").httpSemconv(OtelSettings.HttpSemconv.DUPLICATE);
        OtelSettings s = OtelSettings.resolve(b, Map.of(
                "ZER_VER_PROMOTE_QUEUE_MS", "0.5", "ZER_VER_DEBUG_JOBS", "true", "OTEL_SERVICE_NAME", "blog",
                "OTEL_SEMCONV_STABILITY_OPT_IN", "http", "ZER_VER_SAMPLER", "head:0.25,tail:error|promoted"));
        assertThat(s.promoteQueue()).isEqualTo(Threshold.millis(0.5));
        assertThat(s.debugJobs()).isTrue();
        assertThat(s.serviceName()).isEqualTo("blog");
        assertThat(s.httpSemconv()).isEqualTo(OtelSettings.HttpSemconv.STABLE);
        assertThat(s.sampler().headRatio()).isEqualTo(0.25);
        assertThat(s.sampler().tail()).containsExactlyInAnyOrder(SamplerSpec.TailTrigger.ERROR, SamplerSpec.TailTrigger.PROMOTED);
        assertThat(OtelSettings.resolve(b, Map.of()).promoteQueue()).isEqualTo(Threshold.millis(50));
    }

    @Test
    void endpointsFollowTheOtlpRules() {
        OtelSettings base = OtelSettings.resolve(OtelSettings.builder(),
                Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318", "OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%20b,x-team=blog"));
        assertThat(base.tracesExporter()).isEqualTo(OtelSettings.TracesExporter.OTLP); // an endpoint means OTLP
        assertThat(base.tracesEndpoint()).isEqualTo("http://collector:4318/v1/traces");
        assertThat(base.headers()).containsEntry("api-key", "a b").containsEntry("x-team", "blog");
        OtelSettings signal = OtelSettings.resolve(OtelSettings.builder(), Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://collector:4318",
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://traces:9999/custom"));
        assertThat(signal.tracesEndpoint()).isEqualTo("http://traces:9999/custom");
        assertThat(OtelSettings.resolve(OtelSettings.builder(), Map.of("OTEL_SEMCONV_STABILITY_OPT_IN", "http,http/dup"))
                .httpSemconv()).isEqualTo(OtelSettings.HttpSemconv.DUPLICATE);
    }

    @Test
    void resourceCarriesTheContractsAttributes() {
        ZerverOtel otel = ZerverOtel.builder().environment(Map.of("OTEL_TRACES_EXPORTER", "none",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=staging,team=blog",
                "OTEL_SERVICE_NAME", "blog")).build();
        Map<String, Object> r = new java.util.HashMap<>();
        otel.resource().getAttributes().forEach((k, v) -> r.put(k.getKey(), v));
        assertThat(r).containsEntry("service.name", "blog").containsEntry("deployment.environment.name", "staging")
                .containsEntry("team", "blog").containsEntry("telemetry.sdk.language", "java")
                .containsKeys("service.version", "service.instance.id", "host.name", "process.pid",
                        "process.runtime.name", "process.runtime.version", "telemetry.sdk.name", "telemetry.sdk.version");
    }
}
