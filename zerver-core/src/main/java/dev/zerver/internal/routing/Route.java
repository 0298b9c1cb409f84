package dev.zerver.internal.routing;

import dev.zerver.Step;
import java.util.List;

/**
 * A method and template with the steps that serve it: route before-steps, then main steps.
 *
 * @param declarationOrder position among all routes, the last tie-breaker of priority
 */
public record Route(String method, RouteTemplate template, List<Step> before, List<Step> steps, int declarationOrder) {
    public Route {
        before = List.copyOf(before);
        steps = List.copyOf(steps);
    }

    @Override
    public String toString() {
        return method + " " + template;
    }
}
