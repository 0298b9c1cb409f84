package dev.zerver.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class EnvTest {
    private static ZerverSettings resolve(Map<String, String> env) {
        return ZerverSettings.resolve(ZerverSettings.builder(), new Env(env));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "ZER_VER_PORT|http|a whole number from 0 to 65535",
        "ZER_VER_PORT|70000|a whole number from 0 to 65535",
        "ZER_VER_STEP_WORKERS|0|a whole number from 1 to 1024",
        "ZER_VER_EFFECT_WORKERS|many|a whole number from 1 to 4096",
        "ZER_VER_STEP_QUEUE_CAPACITY|-1|a whole number from 1 to 1000000",
        "ZER_VER_EFFECT_QUEUE_CAPACITY|1e3|a whole number from 1 to 1000000",
        "ZER_VER_QUEUE_NAME_CONT|two words|a non-empty name of letters, digits, '_', '.' or '-' (at most 64)",
        "ZER_VER_QUEUE_NAME_EFFECTS|q/x|a non-empty name of letters, digits, '_', '.' or '-' (at most 64)",
        "ZER_VER_MAX_BODY_BYTES|1g|a size in bytes from 0 to 2147483647 (suffix k or m allowed)",
        "ZER_VER_MAX_HEADER_BYTES|10|a size in bytes from 1024 to 1048576 (suffix k or m allowed)",
        "ZER_VER_IDLE_TIMEOUT|5|a duration such as 250ms, 30s, 5m or 1h, at least 1s",
        "ZER_VER_IDLE_TIMEOUT|500ms|a duration such as 250ms, 30s, 5m or 1h, at least 1s",
        "ZER_VER_REQUEST_TIMEOUT|soon|a duration such as 250ms, 30s, 5m or 1h, at least 1ms",
        "ZER_VER_SHUTDOWN_GRACE|-1s|a duration such as 250ms, 30s, 5m or 1h, at least 0s",
        "ZER_VER_HOST|a b|a host name or IP address to listen on",
        "ZER_VER_FIRST_STEP_ON_EVENT_LOOP|yes|0, 1, true or false",
    })
    void malformedValuesStopStartUpWithOneLine(String variable, String value, String accepts) {
        assertThatThrownBy(() -> resolve(Map.of(variable, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessage(variable + "=\"" + value + "\" is not valid: expected " + accepts)
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void environmentWinsOverTheBuilder() {
        ZerverSettings s = ZerverSettings.resolve(ZerverSettings.builder().port(9000).effectWorkers(3),
                new Env(Map.of("ZER_VER_PORT", "9100", "ZER_VER_QUEUE_NAME_EFFECTS", "io",
                        "ZER_VER_MAX_BODY_BYTES", "64k", "ZER_VER_REQUEST_TIMEOUT", "250ms")));
        assertThat(s.port()).isEqualTo(9100);
        assertThat(s.effectWorkers()).isEqualTo(3);
        assertThat(s.effectQueue()).isEqualTo("io");
        assertThat(s.continuationQueue()).isEqualTo("continuations");
        assertThat(s.maxBodyBytes()).isEqualTo(65536);
        assertThat(s.requestTimeout()).isEqualTo(Duration.ofMillis(250));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "ZER_VER_DB_URL|jdbc:mysql://root:s3cr3t@db/blog?password=s3cr3t|jdbc:mysql://REDACTED:REDACTED@db/blog?password=REDACTED",
        "ZER_VER_DB_PASSWORD|s3cr3t|REDACTED",
        "OTEL_EXPORTER_OTLP_HEADERS|authorization=Bearer s3cr3t|REDACTED",
        "BLOG_COMMENTS_URL|http://svc/comments?token=s3cr3t&page=2|http://svc/comments?token=REDACTED&page=2",
        "ZER_VER_PORT|s3cr3t-free|s3cr3t-free",
    })
    void aMalformedValueIsEchoedOnlyAsTelemetryWouldShowIt(String variable, String value, String shown) {
        Env env = new Env(Map.of(variable, value));
        assertThatThrownBy(() -> env.parse(variable, "", v -> {
            throw new IllegalArgumentException(v);
        }, "something else"))
                .isInstanceOf(ConfigException.class)
                .hasMessage(variable + "=\"" + shown + "\" is not valid: expected something else");
    }

    @Test
    void blankValuesFallBackToDefaults() {
        assertThat(resolve(Map.of("ZER_VER_PORT", " ")).port()).isEqualTo(8080);
    }
}
