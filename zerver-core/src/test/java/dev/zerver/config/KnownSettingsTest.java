package dev.zerver.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KnownSettingsTest {
    @Test
    void aMisspelledZerverVariableIsNamedWithTheClosestKnownOne() {
        Set<String> known = KnownSettings.constantsOf(ZerverSettings.class);
        assertThat(known).contains("ZER_VER_PORT", "ZER_VER_STEP_WORKERS", "ZER_VER_MAX_CONNECTIONS");
        assertThat(KnownSettings.unknown(Map.of(
                "ZER_VER_STEP_WORKRS", "4",
                "ZER_VER_PORT", "8080",
                "ZER_VER_WHATEVER_ELSE_ENTIRELY", "1",
                "OTEL_EXPORTER_ZIPKIN_ENDPOINT", "http://z",
                "ZER_VER_TEST_PG_URL", "jdbc:postgresql://x/y",
                "PATH", "/usr/bin"), known))
                .containsExactly(
                        "OTEL_EXPORTER_ZIPKIN_ENDPOINT is not supported by Zerver and is ignored",
                        "ZER_VER_STEP_WORKRS is not a Zerver setting and is ignored; did you mean ZER_VER_STEP_WORKERS?",
                        "ZER_VER_WHATEVER_ELSE_ENTIRELY is not a Zerver setting and is ignored");
    }
}
