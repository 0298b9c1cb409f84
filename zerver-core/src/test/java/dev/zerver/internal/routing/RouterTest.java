package dev.zerver.internal.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.zerver.Decision;
import dev.zerver.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouterTest {
    private static final Step STEP = Step.named("s").run(ctx -> Decision.next());

    private static Router router(String... methodAndTemplates) {
        List<Route> routes = new ArrayList<>();
        for (String mt : methodAndTemplates) {
            String[] p = mt.split(" ");
            routes.add(new Route(p[0], RouteTemplate.parse(p[1]), List.of(), List.of(STEP), routes.size()));
        }
        return new Router(routes);
    }

    private static final Router ROUTER = router(
            "GET /files/{*rest}",
            "GET /posts/{id}",
            "GET /posts/new",
            "POST /posts",
            "GET /posts",
            "GET /posts/{id}/comments/{cid}",
            "GET /posts/{id}/comments/latest",
            "DELETE /posts/{id}",
            "GET /a/{x}/{y}",
            "GET /a/{*rest}",
            "GET /",
            "GET /slash/");

    private static String found(RouteMatch m) {
        assertThat(m).isInstanceOf(RouteMatch.Found.class);
        return ((RouteMatch.Found) m).route().template().toString();
    }

    @ParameterizedTest(name = "{0} {1} -> {2}")
    @CsvSource({
        "GET, /posts/new, /posts/new",
        "GET, /posts/42, /posts/{id}",
        "GET, /posts, /posts",
        "POST, /posts, /posts",
        "GET, /posts/42/comments/latest, /posts/{id}/comments/latest",
        "GET, /posts/42/comments/7, /posts/{id}/comments/{cid}",
        "GET, /files/a/b/c.txt, /files/{*rest}",
        "GET, /files/, /files/{*rest}",
        "GET, /a/1/2, /a/{*rest}",
        "GET, /, /",
        "GET, /slash/, /slash/",
        "HEAD, /posts/42, /posts/{id}",
    })
    void matchesByPriority(String method, String path, String template) {
        assertThat(found(ROUTER.match(method, path))).isEqualTo(template);
    }

    @Test
    void parametersAreDecodedAndNamed() {
        RouteMatch.Found f = (RouteMatch.Found) ROUTER.match("GET", "/posts/a%20b/comments/c%2Fd");
        assertThat(f.params()).containsExactly(Map.entry("id", "a b"), Map.entry("cid", "c/d"));
        RouteMatch.Found wild = (RouteMatch.Found) ROUTER.match("GET", "/files/x/y%21/z");
        assertThat(wild.params()).containsExactly(Map.entry("rest", "x/y!/z"));
        assertThat(((RouteMatch.Found) ROUTER.match("GET", "/files/")).params()).containsEntry("rest", "");
    }

    @Test
    void headIsServedByGetAndFlagged() {
        RouteMatch.Found f = (RouteMatch.Found) ROUTER.match("HEAD", "/posts");
        assertThat(f.head()).isTrue();
        assertThat(f.route().method()).isEqualTo("GET");
        assertThat(((RouteMatch.Found) ROUTER.match("GET", "/posts")).head()).isFalse();
    }

    @ParameterizedTest(name = "{0} {1} -> 404")
    @CsvSource({
        "GET, /nope",
        "GET, /posts/",
        "GET, /slash",
        "GET, /files",
        "GET, /posts/1/comments",
        "GET, /posts//comments/1",
    })
    void unknownPathsAreNotFound(String method, String path) {
        assertThat(ROUTER.match(method, path)).isInstanceOf(RouteMatch.NotFound.class);
    }

    @Test
    void knownPathWithOtherMethodIs405WithAllow() {
        RouteMatch m = ROUTER.match("PUT", "/posts/42");
        assertThat(m).isInstanceOf(RouteMatch.MethodNotAllowed.class);
        assertThat(((RouteMatch.MethodNotAllowed) m).allow()).containsExactly("DELETE", "GET", "HEAD", "OPTIONS");
        RouteMatch post = ROUTER.match("DELETE", "/posts");
        assertThat(((RouteMatch.MethodNotAllowed) post).allow()).containsExactly("GET", "HEAD", "OPTIONS", "POST");
    }

    @Test
    void optionsAnswersAllow() {
        RouteMatch m = ROUTER.match("OPTIONS", "/posts");
        assertThat(m).isInstanceOf(RouteMatch.Options.class);
        assertThat(((RouteMatch.Options) m).allow()).containsExactly("GET", "HEAD", "OPTIONS", "POST");
        assertThat(ROUTER.match("OPTIONS", "/nope")).isInstanceOf(RouteMatch.NotFound.class);
    }

    @Test
    void declarationOrderBreaksTies() {
        Router r = router("GET /x/{a}", "GET /{b}/y");
        assertThat(found(r.match("GET", "/x/y"))).isEqualTo("/x/{a}");
        Router reversed = router("GET /{b}/y", "GET /x/{a}");
        assertThat(found(reversed.match("GET", "/x/y"))).isEqualTo("/{b}/y");
    }

    @Test
    void badPercentEncodingIsReported() {
        assertThat(ROUTER.match("GET", "/posts/%zz")).isInstanceOf(RouteMatch.BadPath.class);
        assertThat(ROUTER.match("GET", "/posts/%4")).isInstanceOf(RouteMatch.BadPath.class);
        assertThat(ROUTER.match("GET", "/posts/%ff")).isInstanceOf(RouteMatch.BadPath.class);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
        "posts|it must start with '/'",
        "/a//b|empty segment",
        "/a/{}|needs a name",
        "/a/{x|stray brace",
        "/a/x{y}|mixes text",
        "/a/{*rest}/b|must be the last segment",
        "/a/{id}/{id}|appears twice",
        "/a b|not allowed in a path",
    })
    void malformedTemplatesAreRejected(String template, String why) {
        assertThatThrownBy(() -> RouteTemplate.parse(template))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("malformed route template '" + template + "'")
                .hasMessageContaining(why);
    }

    @Test
    void duplicateShapesAreRejected() {
        assertThatThrownBy(() -> router("GET /posts/{id}", "GET /posts/{slug}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("duplicate route: GET /posts/{slug} matches the same paths as GET /posts/{id}");
        // Same template, different methods: fine.
        assertThat(router("GET /posts/{id}", "PUT /posts/{id}").routes()).hasSize(2);
    }
}
