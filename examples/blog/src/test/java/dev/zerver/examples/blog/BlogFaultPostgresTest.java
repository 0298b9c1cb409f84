package dev.zerver.examples.blog;

import java.util.Map;

/** The fault test on PostgreSQL, with the server {@link BlogPostgresTest} uses (skipped without one). */
class BlogFaultPostgresTest extends BlogFaultTest {
    @Override
    Map<String, String> database() {
        return BlogPostgresTest.cleanDatabase();
    }
}
