package dev.zerver.internal.routing;

import java.util.Map;
import java.util.Set;

/** What the router says about a method and path. */
public sealed interface RouteMatch {
    /** A route serves it. {@code head} is true when a HEAD request is served by a GET route. */
    record Found(Route route, Map<String, String> params, boolean head) implements RouteMatch {}

    /** The path is known but not for this method; {@code allow} lists the methods that are. */
    record MethodNotAllowed(Set<String> allow) implements RouteMatch {}

    /** An OPTIONS request for a known path without an OPTIONS route. */
    record Options(Set<String> allow) implements RouteMatch {}

    /** No route has this path. */
    record NotFound() implements RouteMatch {}

    /** The path could not be decoded (bad percent-encoding). */
    record BadPath(String reason) implements RouteMatch {}
}
