package dev.zerver.effects.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.Effect;
import dev.zerver.Response;
import dev.zerver.effects.App;
import dev.zerver.telemetry.EffectRecord;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.ParkEpisode;
import dev.zerver.telemetry.RequestRecord;
import dev.zerver.testing.InProcess;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The db family on a real SQLite file. */
class SqliteEffectsTest {
    @TempDir
    Path dir;
    private JdbcEffects db;
    private App app;

    private JdbcEffects open(int poolSize) throws Exception {
        db = JdbcEffects.builder().url("jdbc:sqlite:" + dir.resolve("test.db")).poolSize(poolSize).build();
        DbFixture.schema(db);
        return db;
    }

    @AfterEach
    void close() {
        if (app != null) {
            app.close();
        }
        if (db != null) {
            db.close();
        }
    }

    /** Runs one effect deterministically and returns the response and its record. */
    private Response manual(Function<Integer, Effect> effect, RequestRecord[] record) {
        app = App.manual(Map.of(), List.of(db), b -> DbFixture.route(b, effect));
        InProcess.Exchange ex = app.send("GET", "/run/1");
        app.scheduler.runToCompletion();
        record[0] = app.records.poll();
        // Not closed: closing an application closes its handlers, and this pool serves the next one.
        Response r = ex.response();
        app = null;
        return r;
    }

    private static List<ParkEpisode> parks(RequestRecord r, ParkCause cause) {
        List<ParkEpisode> out = new ArrayList<>();
        for (JobRecord j : r.jobs()) {
            j.parks().stream().filter(p -> p.cause() == cause).forEach(out::add);
        }
        return out;
    }

    @Test
    void putGetQueryUpdateDelete() throws Exception {
        open(2);
        RequestRecord[] rec = new RequestRecord[1];
        assertThat(manual(n -> Db.put("post", 7, Map.of("title", "Hello", "views", 1)), rec).bodyText()).isEqualTo("1");
        EffectRecord put = rec[0].effects().get(0);
        assertThat(put.attributes()).containsEntry("db.system.name", "sqlite")
                .containsEntry("db.operation.name", "INSERT").containsEntry("db.collection.name", "post")
                .containsEntry("db.namespace", "test.db").doesNotContainKey("server.address");
        assertThat((String) put.attributes().get("db.query.text")).startsWith("INSERT INTO post (id, ")
                .doesNotContain("Hello");

        assertThat(manual(n -> Db.get("post", 7), rec).bodyText())
                .isEqualTo("{\"id\":7,\"title\":\"Hello\",\"views\":1}");
        assertThat(rec[0].effects().get(0).attributes()).containsEntry("db.operation.name", "GET")
                .containsEntry("db.query.text", "SELECT * FROM post WHERE id = ?");
        assertThat(rec[0].effects().get(0).slotWrite().sizeBytes()).isPositive();
        assertThat(parks(rec[0], ParkCause.IO_WAIT)).singleElement()
                .satisfies(p -> assertThat(p.token()).isEqualTo("sqlite"));

        assertThat(manual(n -> Db.get("post", 8), rec).bodyText()).isEqualTo("(none)");
        assertThat(rec[0].effects().get(0).success()).isTrue();

        assertThat(manual(n -> Db.update("UPDATE post SET views = views + ? WHERE id = ?", 41, 7), rec).bodyText())
                .isEqualTo("1");
        assertThat(rec[0].effects().get(0).attributes()).containsEntry("db.operation.name", "UPDATE");
        assertThat(manual(n -> Db.query("SELECT title, views FROM post WHERE views > ?", 10), rec).bodyText())
                .isEqualTo("[{\"title\":\"Hello\",\"views\":42}]");
        assertThat(rec[0].effects().get(0).target()).isEqualTo("post");
        assertThat(manual(n -> Db.delete("post", 7), rec).bodyText()).isEqualTo("1");
        assertThat(manual(n -> Db.query("SELECT count(*) AS n FROM post"), rec).bodyText()).isEqualTo("[{\"n\":0}]");
    }

    @Test
    void constraintViolationsAreApplicationFailuresAndBadSqlIsNotRetried() throws Exception {
        open(1);
        RequestRecord[] rec = new RequestRecord[1];
        manual(n -> Db.put("post", 1, Map.of("title", "Same")), rec);
        Response dup = manual(n -> Db.update("INSERT INTO post (id, title) VALUES (?, ?)", 2, "Same"), rec);
        assertThat(dup.status()).isEqualTo(409);
        EffectRecord e = rec[0].effects().get(0);
        assertThat(e.errorType()).isEqualTo("constraint_violation");
        assertThat(e.isInfrastructureFailure()).isFalse();

        Response bad = manual(n -> Db.query("SELECT nope FROM post"), rec);
        assertThat(bad.status()).isEqualTo(500);
        assertThat(rec[0].effects().get(0).errorType()).isEqualTo("sql_error");
        assertThat(rec[0].effects().get(0).isInfrastructureFailure()).isTrue(); // a missing column is not the caller's fault
    }

    @Test
    void writesAreRefusedOnceTheFileIsDeletedInsteadOfVanishing() throws Exception {
        open(2);
        RequestRecord[] rec = new RequestRecord[1];
        assertThat(manual(n -> Db.put("post", 1, Map.of("title", "Kept")), rec).status()).isEqualTo(200);
        java.nio.file.Files.delete(dir.resolve("test.db"));
        Response lost = manual(n -> Db.put("post", 2, Map.of("title", "Would vanish")), rec);
        assertThat(lost.status()).isEqualTo(500);
        EffectRecord e = rec[0].effects().get(0);
        assertThat(e.errorType()).isEqualTo("database_file_missing");
        assertThat(e.isInfrastructureFailure()).isTrue();
        // Reads still answer from the open file.
        assertThat(manual(n -> Db.get("post", 1), rec).bodyText()).contains("Kept");
    }

    @Test
    void literalsNeverReachTheRecordedQueryText() throws Exception {
        open(1);
        RequestRecord[] rec = new RequestRecord[1];
        manual(n -> Db.query("SELECT * FROM post WHERE title = 'secret title' AND views > 99 LIMIT ?", 5), rec);
        assertThat(rec[0].effects().get(0).attributes().get("db.query.text"))
                .isEqualTo("SELECT * FROM post WHERE title = ? AND views > ? LIMIT ?");
    }

    @Test
    void theEnvironmentWinsOverCodeAsEverywhereInZerver() throws Exception {
        try (JdbcEffects fromEnv = JdbcEffects.builder(Map.of("ZER_VER_DB_POOL_SIZE", "3",
                "ZER_VER_DB_URL", "jdbc:sqlite:" + dir.resolve("env.db"))).url("jdbc:sqlite:" + dir.resolve("code.db"))
                .poolSize(9).build()) {
            assertThat(fromEnv.poolSize()).isEqualTo(3);
            assertThat(java.nio.file.Files.exists(dir.resolve("env.db"))).isTrue();
            assertThat(java.nio.file.Files.exists(dir.resolve("code.db"))).isFalse();
        }
        try (JdbcEffects fromCode = JdbcEffects.builder(Map.of()).url("jdbc:sqlite:" + dir.resolve("code.db")).poolSize(2)
                .build()) {
            assertThat(fromCode.poolSize()).isEqualTo(2);
        }
        assertThatThrownBy(() -> JdbcEffects.builder(Map.of("ZER_VER_DB_POOL_SIZE", "lots")).build())
                .hasMessage("ZER_VER_DB_POOL_SIZE=\"lots\" is not valid: expected a whole number from 1 to 1000");
    }

    @Test
    void badEffectsFailWhenBuilt() {
        assertThatThrownBy(() -> Db.get("post; drop table x", 1)).hasMessageContaining("plain SQL identifier");
        assertThatThrownBy(() -> Db.get("post", "id OR 1=1", 1)).hasMessage(
                "key column must be a plain SQL identifier (letters, digits, _), got 'id OR 1=1'");
        assertThatThrownBy(() -> Db.get("1post", 1)).hasMessageContaining("got '1post'");
        assertThatThrownBy(() -> Db.get("", 1)).hasMessageContaining("got ''");
        assertThatThrownBy(() -> Db.get("p".repeat(64), 1)).hasMessageContaining("plain SQL identifier");
        assertThat(((DbRequest) Db.get("_post_2", "author_id", 1).request()).sql())
                .isEqualTo("SELECT * FROM _post_2 WHERE author_id = ?")
                .isSameAs(((DbRequest) Db.get("_post_2", "author_id", 2).request()).sql()); // made once
        assertThat(((DbRequest) Db.get("p".repeat(63), 1).request()).sql()).startsWith("SELECT * FROM ppp");
        assertThatThrownBy(() -> Db.query("SELECT * FROM post WHERE id = ?")).hasMessageContaining(
                "1 placeholder(s) but 0 parameter(s)");
        assertThatThrownBy(() -> Db.query("SELECT ?", 1, 2)).hasMessageContaining("2 parameter(s)");
        assertThatThrownBy(() -> Db.update("SELECT 1")).hasMessageContaining("use db.query");
        assertThatThrownBy(() -> Db.query("DROP TABLE post")).hasMessageContaining("must start with SELECT");
        assertThatThrownBy(() -> Db.put("post", 1, Map.of())).hasMessageContaining("at least one column");
        assertThatThrownBy(() -> Db.query(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> JdbcEffects.builder().url("sqlite.db")).hasMessageContaining("not a JDBC URL");
        assertThatThrownBy(() -> JdbcEffects.builder().poolSize(0)).hasMessageContaining("pool size");
        assertThat(Db.query("SELECT '?' FROM post WHERE id = ?", 1).target()).isEqualTo("post");
    }

    @Test
    void anExhaustedPoolIsBackpressureOnDbPoolWithThePoolLimits() throws Exception {
        open(1);
        app = App.real(Map.of("ZER_VER_EFFECT_WORKERS", "4"), List.of(db),
                b -> DbFixture.route(b, n -> Db.put("post", n, Map.of("title", "t" + n))));
        List<InProcess.Exchange> all = new ArrayList<>();
        try (Connection held = db.connection()) { // the pool's only connection, held while requests arrive
            assertThat(held.isClosed()).isFalse();
            for (int i = 0; i < 20; i++) {
                all.add(app.send("GET", "/run/" + i));
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (db.threadsAwaitingConnection() < 4) {
                assertThat(System.nanoTime()).as("every worker waits for the connection").isLessThan(until);
                Thread.sleep(5);
            }
        }
        for (InProcess.Exchange ex : all) {
            assertThat(ex.await(30, TimeUnit.SECONDS).bodyText()).isEqualTo("1");
        }
        List<ParkEpisode> waits = new ArrayList<>();
        for (RequestRecord r : app.records(20)) {
            waits.addAll(parks(r, ParkCause.BACKPRESSURE));
        }
        assertThat(waits).hasSizeGreaterThanOrEqualTo(4).allSatisfy(p -> {
            assertThat(p.token()).isEqualTo("db_pool");
            assertThat(p.limitCurrent()).isEqualTo(1);
            assertThat(p.limitMax()).isEqualTo(1);
        });
        System.out.println("[measure] pool of 1, 20 concurrent writes: " + waits.size() + " db_pool parks");
    }

    @Test
    void aWriteWaitingForSqlitesWriterParksOnTheLock() throws Exception {
        open(2);
        app = App.real(Map.of(), List.of(db), b -> DbFixture.route(b, n -> Db.put("post", n, Map.of("title", "w"))));
        db.sqliteWriter().acquire();
        InProcess.Exchange ex;
        try {
            ex = app.send("GET", "/run/1");
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!db.sqliteWriter().hasQueuedThreads()) {
                assertThat(System.nanoTime()).as("the write waits for the writer").isLessThan(until);
                Thread.sleep(5);
            }
        } finally {
            db.sqliteWriter().release();
        }
        assertThat(ex.await(30, TimeUnit.SECONDS).bodyText()).isEqualTo("1");
        assertThat(parks(app.record(), ParkCause.LOCK)).singleElement().satisfies(p -> {
            assertThat(p.token()).isEqualTo("sqlite_writer");
            assertThat(p.limitMax()).isEqualTo(1);
        });
    }

    @Test
    void aTimeoutCancelsTheRunningStatement() throws Exception {
        open(1);
        String endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) AS n FROM c";
        app = App.real(Map.of(), List.of(db), b -> DbFixture.route(b, n -> Db.query(endless)
                .timeout(Duration.ofMillis(200))));
        InProcess.Exchange ex = app.send("GET", "/run/1");
        assertThat(ex.await(30, TimeUnit.SECONDS).status()).isEqualTo(500);
        assertThat(app.record().effects().get(0).errorType()).isEqualTo("timeout");
        InProcess.Exchange after = app.send("GET", "/run/2");
        assertThat(after.await(30, TimeUnit.SECONDS).status()).as("the connection came back to the pool")
                .isEqualTo(500);
    }
}
