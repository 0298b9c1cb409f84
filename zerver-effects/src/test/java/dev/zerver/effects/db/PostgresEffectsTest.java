package dev.zerver.effects.db;

import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.effects.App;
import dev.zerver.telemetry.EffectRecord;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The same db effects on PostgreSQL. The server comes from {@code ZER_VER_TEST_PG_URL} (default
 * {@code jdbc:postgresql://127.0.0.1:5432/zerver_test}, user and password {@code zerver}); CI
 * starts one. Without a reachable server the tests are skipped with the reason printed, unless
 * {@code ZER_VER_TEST_PG_REQUIRED=1} (set by CI) makes that a failure.
 */
class PostgresEffectsTest {
    static final String URL = System.getenv().getOrDefault("ZER_VER_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/zerver_test");

    @BeforeAll
    static void reachable() {
        try {
            open().close();
        } catch (RuntimeException e) {
            String reason = "PostgreSQL not reachable at " + URL + " (" + e.getMessage() + ")";
            if ("1".equals(System.getenv("ZER_VER_TEST_PG_REQUIRED"))) {
                throw new AssertionError(reason + " and ZER_VER_TEST_PG_REQUIRED=1", e);
            }
            System.out.println("[skip] " + reason + "; skipping");
            Assumptions.abort(reason);
        }
    }

    private static JdbcEffects open() {
        return JdbcEffects.builder().url(URL).user("zerver").password("zerver").poolSize(2)
                .poolTimeout(Duration.ofSeconds(2)).build();
    }

    @Test
    void crudAndTheNetworkedDatabaseAttributes() throws Exception {
        JdbcEffects db = open();
        DbFixture.schema(db);
        App app = App.real(Map.of(), List.of(db), b -> DbFixture.route(b, n -> switch (n) {
            case 1 -> Db.put("post", 7, Map.of("title", "Hello", "views", 1));
            case 2 -> Db.get("post", 7);
            case 3 -> Db.update("UPDATE post SET views = views + ? WHERE id = ?", 41, 7);
            case 4 -> Db.query("SELECT title, views FROM post WHERE views > ?", 10);
            case 5 -> Db.update("INSERT INTO post (id, title) VALUES (?, ?)", 8, "Hello");
            default -> Db.delete("post", 7);
        }));
        try (app) {
            assertThat(app.send("GET", "/run/1").await(30, TimeUnit.SECONDS).bodyText())
                    .isEqualTo("1");
            EffectRecord put = app.record().effects().get(0);
            assertThat(put.attributes()).containsEntry("db.system.name", "postgresql")
                    .containsEntry("db.namespace", "zerver_test").containsEntry("server.address", "127.0.0.1")
                    .containsEntry("server.port", 5432).containsEntry("db.operation.name", "INSERT");
            assertThat(body(app, 2)).isEqualTo("{\"id\":7,\"title\":\"Hello\",\"views\":1}");
            assertThat(body(app, 3)).isEqualTo("1");
            assertThat(body(app, 4)).isEqualTo("[{\"title\":\"Hello\",\"views\":42}]");
            var dup = app.send("GET", "/run/5").await(30, TimeUnit.SECONDS);
            assertThat(dup.status()).isEqualTo(409);
            // Records arrive as requests finish, not always in request order: pick the 409 one.
            assertThat(app.records(4)).filteredOn(r -> r.status() == 409).singleElement()
                    .satisfies(r -> assertThat(r.effects().get(0).errorType()).isEqualTo("constraint_violation"));
            assertThat(body(app, 6)).isEqualTo("1");
        }
    }

    @Test
    void dataTheDatabaseRefusesIsAnApplicationFailureThatNeverOpensTheBreaker() throws Exception {
        JdbcEffects db = open();
        DbFixture.schema(db);
        App app = App.real(Map.of("ZER_VER_CIRCUIT_FAILURES", "2"), List.of(db), b -> DbFixture.route(b, n -> switch (n) {
            case 1 -> Db.put("post", 11, Map.of("title", "a\u0000b", "views", 1));   // SQLState 22021
            default -> Db.get("post", 11);
        }));
        try (app) {
            for (int i = 0; i < 4; i++) {
                assertThat(app.send("GET", "/run/1").await(30, TimeUnit.SECONDS).status()).isEqualTo(400);
            }
            EffectRecord refused = app.records(4).get(3).effects().get(0);
            assertThat(refused.errorType()).isEqualTo("invalid_data");
            var read = app.send("GET", "/run/2").await(30, TimeUnit.SECONDS);
            assertThat(read.status()).as("the circuit stayed closed: not circuit_open").isEqualTo(200);
            assertThat(read.bodyText()).isEqualTo("(none)");
        }
    }

    private static String body(App app, int n) throws Exception {
        return app.send("GET", "/run/" + n).await(30, TimeUnit.SECONDS).bodyText();
    }
}
