package dev.zerver.effects.db;

import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Function;

/** A schema and routes shared by the SQLite and PostgreSQL tests. */
final class DbFixture {
    static final Slot<String> OUT = Slot.of("out", String.class);

    private DbFixture() {}

    static void schema(JdbcEffects db) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS post");
            st.execute("CREATE TABLE post (id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, views INTEGER)");
        }
    }

    /** GET /run/{n}: runs the effect the function builds and answers its result as JSON text. */
    static void route(Zerver.Builder b, Function<Integer, Effect> effect) {
        b.get("/run/{n}", Step.named("run").writes(OUT).run(ctx -> Need.of(effect.apply(
                Integer.parseInt(ctx.param("n"))).into(OUT))
                .continueWith("show", k -> Decision.done(Response.text(k.optional(OUT).orElse("(none)"))))));
    }
}
