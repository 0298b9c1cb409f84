package dev.zerver.effects;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.Zerver;
import dev.zerver.config.ConfigException;
import dev.zerver.effects.cache.CacheEffects;
import dev.zerver.effects.db.JdbcEffects;
import dev.zerver.effects.http.HttpEffects;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One settings rule in every module: a variable that is set wins over the value given in code,
 * a malformed one stops start-up naming itself, and {@link Zerver#describeSettings()} prints
 * every module's effective values with the secrets redacted.
 */
class SettingsTest {
    @TempDir
    Path dir;

    @Test
    void variablesWinOverCodeInEveryEffectModule() {
        Map<String, String> env = Map.of(
                "ZER_VER_HTTP_RESPONSE_TIMEOUT", "2s",
                "ZER_VER_HTTP_MAX_CONCURRENT", "7",
                "ZER_VER_CACHE_TTL", "90s",
                "ZER_VER_DB_POOL_SIZE", "3",
                "ZER_VER_DB_URL", "jdbc:sqlite:" + dir.resolve("s.db"),
                "ZER_VER_DB_PASSWORD", "hunter2");
        try (JdbcEffects db = JdbcEffects.builder(env).poolSize(9).build();
                HttpEffects http = HttpEffects.builder(env).responseTimeout(Duration.ofSeconds(5)).defaultLimit(64).build()) {
            CacheEffects cache = CacheEffects.builder(env).defaults(Duration.ofMinutes(5), 500).build();
            Zerver app = Zerver.builder().environment(Map.of()).port(0).effectHandler(db).effectHandler(http)
                    .effectHandler(cache).build();
            Map<String, String> settings = app.describeSettings();
            assertThat(settings).containsEntry("ZER_VER_HTTP_RESPONSE_TIMEOUT", "2s")
                    .containsEntry("ZER_VER_HTTP_MAX_CONCURRENT", "7")
                    .containsEntry("ZER_VER_HTTP_CONNECT_TIMEOUT", "5s")
                    .containsEntry("ZER_VER_CACHE_TTL", "90s")
                    .containsEntry("ZER_VER_CACHE_MAX_ENTRIES", "500")
                    .containsEntry("ZER_VER_DB_POOL_SIZE", "3")
                    .containsEntry("ZER_VER_DB_PASSWORD", "REDACTED")
                    .containsKeys("ZER_VER_PORT", "ZER_VER_STEP_WORKERS");
            assertThat(settings.values()).noneMatch(v -> v.contains("hunter2"));
            assertThat(db.poolSize()).isEqualTo(3);
        }
    }

    @Test
    void aMalformedVariableNamesItselfAndWhatItAccepts() {
        assertThatThrownBy(() -> HttpEffects.builder(Map.of("ZER_VER_HTTP_MAX_CONCURRENT", "lots")).build())
                .isInstanceOf(ConfigException.class)
                .hasMessage("ZER_VER_HTTP_MAX_CONCURRENT=\"lots\" is not valid: expected a whole number from 1 to 1000000");
        assertThatThrownBy(() -> CacheEffects.builder(Map.of("ZER_VER_CACHE_TTL", "soon")).build())
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("ZER_VER_CACHE_TTL=\"soon\" is not valid: expected a duration");
    }
}
