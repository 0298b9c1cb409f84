package dev.zerver.examples.blog;

import dev.zerver.effects.db.JdbcEffects;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** Creates the tables (SQLite and PostgreSQL alike) and seeds a few posts into an empty database. */
final class Schema {
    private Schema() {}

    static void prepare(JdbcEffects db) throws SQLException {
        try (Connection c = db.connection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS blog_author (id TEXT PRIMARY KEY, display_name TEXT NOT NULL, bio TEXT NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS blog_post (id TEXT PRIMARY KEY, title TEXT NOT NULL, content TEXT NOT NULL,"
                    + " author TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)");
            st.execute("CREATE TABLE IF NOT EXISTS blog_comment (id TEXT PRIMARY KEY, post_id TEXT NOT NULL,"
                    + " author TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL)");
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM blog_post")) {
                rs.next();
                if (rs.getLong(1) == 0) {
                    seed(c);
                }
            }
        }
    }

    private static void seed(Connection c) throws SQLException {
        insert(c, "INSERT INTO blog_author (id, display_name, bio) VALUES (?, ?, ?)",
                "ana", "Ana Lima", "Writes about tracing and the cost of waiting.");
        insert(c, "INSERT INTO blog_author (id, display_name, bio) VALUES (?, ?, ?)",
                "ben", "Ben Okafor", "Runs the platform team; likes small queues.");
        insert(c, "INSERT INTO blog_post (id, title, content, author, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                "1", "Hello, Zerver", "# Hello\n\nThis page was served by **steps** and *effects*.\n\n"
                        + "Look at the timeline in your terminal: one line per span.", "ana",
                "2026-11-01T09:00:00Z", "2026-11-01T09:00:00Z");
        insert(c, "INSERT INTO blog_post (id, title, content, author, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                "2", "Why was this request slow?", "Queue waits and parks become spans only when they matter:\n\n"
                        + "- `job.queue_wait` when a job waited for a worker\n"
                        + "- `job.park(backpressure)` when the connection pool was full\n", "ben",
                "2026-11-02T09:00:00Z", "2026-11-02T09:00:00Z");
        insert(c, "INSERT INTO blog_post (id, title, content, author, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                "3", "Markdown, rendered", "A post body is *markdown*, rendered with commonmark and then put "
                        + "through a template.\n\n> Both phases are recorded.", "ana",
                "2026-11-03T09:00:00Z", "2026-11-03T09:00:00Z");
        insert(c, "INSERT INTO blog_comment (id, post_id, author, content, created_at) VALUES (?, ?, ?, ?, ?)",
                "c1", "1", "ben", "Nice timeline!", "2026-11-01T10:00:00Z");
        insert(c, "INSERT INTO blog_comment (id, post_id, author, content, created_at) VALUES (?, ?, ?, ?, ?)",
                "c2", "1", "cy", "Where do I send traces?", "2026-11-01T11:00:00Z");
    }

    private static void insert(Connection c, String sql, String... values) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(sql)) {
            for (int i = 0; i < values.length; i++) {
                st.setString(i + 1, values[i]);
            }
            st.executeUpdate();
        }
    }
}
