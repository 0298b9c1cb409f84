package dev.zerver.examples.hello;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.config.ConfigException;
import dev.zerver.effects.db.JdbcEffects;
import dev.zerver.otel.ZerverOtel;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * This module depends on Zerver's modules the way a small application does, without gRPC and
 * without JDBC drivers: asking for them stops start-up with one line naming the artifact.
 */
class MissingDependenciesTest {
    @Test
    void otlpOverGrpcNamesTheArtifactItNeeds() {
        assertThatThrownBy(() -> ZerverOtel.builder().environment(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317")).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("io.grpc:grpc-netty-shaded")
                .hasMessageNotContaining("\n");
    }

    @Test
    void aDatabaseUrlWithoutItsDriverNamesTheDriver() {
        assertThatThrownBy(() -> JdbcEffects.builder().url("jdbc:sqlite:never.db").build())
                .hasMessage("a jdbc:sqlite: URL needs the JDBC driver org.xerial:sqlite-jdbc among the application's dependencies");
        assertThatThrownBy(() -> JdbcEffects.builder().url("jdbc:postgresql://127.0.0.1/x").build())
                .hasMessageContaining("org.postgresql:postgresql");
    }
}
