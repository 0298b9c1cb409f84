package dev.zerver.examples.blog;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;

/**
 * The same end-to-end tests on PostgreSQL (a server on loopback with database {@code zerver_test},
 * user and password {@code zerver}; CI starts one). Without a reachable server they are skipped
 * with the reason printed, unless {@code ZER_VER_TEST_PG_REQUIRED=1} (set by CI) makes that a failure.
 */
class BlogPostgresTest extends BlogTest {
    static final String URL = System.getenv().getOrDefault("ZER_VER_TEST_PG_URL",
            "jdbc:postgresql://127.0.0.1:5432/zerver_test");

    @Override
    Map<String, String> database() {
        return cleanDatabase();
    }

    /** The blog's settings for the test server, its tables dropped; aborts (or fails, when required) without one. */
    static Map<String, String> cleanDatabase() {
        try (Connection c = DriverManager.getConnection(URL, "zerver", "zerver"); Statement st = c.createStatement()) {
            // A clean slate: the blog creates and seeds its tables at start.
            st.execute("DROP TABLE IF EXISTS blog_comment, blog_post, blog_author");
        } catch (SQLException e) {
            String reason = "PostgreSQL not reachable at " + URL + " (" + e.getMessage() + ")";
            if ("1".equals(System.getenv("ZER_VER_TEST_PG_REQUIRED"))) {
                throw new AssertionError(reason + " and ZER_VER_TEST_PG_REQUIRED=1", e);
            }
            System.out.println("[skip] " + reason + "; skipping");
            Assumptions.abort(reason);
        }
        return Map.of("ZER_VER_DB_URL", URL, "ZER_VER_DB_USER", "zerver", "ZER_VER_DB_PASSWORD", "zerver");
    }
}
