package dev.zerver.internal.routing;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed route template such as {@code /blogs/posts/{id}} or {@code /files/{*rest}}.
 *
 * <p>Segments are literals, {@code {name}} parameters (one non-empty segment) or a final
 * {@code {*name}} wildcard (the rest of the path, possibly empty). Trailing slashes are strict:
 * {@code /a/} and {@code /a} are different templates. Matching compares decoded segments.
 */
public final class RouteTemplate {
    private enum Kind { LITERAL, PARAM, WILDCARD }

    private record Segment(Kind kind, String text) {}

    private final String template;
    private final List<Segment> segments;
    private final int literalCount;
    private final int paramCount;

    private RouteTemplate(String template, List<Segment> segments) {
        this.template = template;
        this.segments = segments;
        int literals = 0;
        for (Segment s : segments) {
            if (s.kind == Kind.LITERAL) {
                literals++;
            }
        }
        this.literalCount = literals;
        this.paramCount = segments.size() - literals;
    }

    /**
     * Parses a template.
     *
     * @throws IllegalArgumentException naming the template and what is wrong with it
     */
    public static RouteTemplate parse(String template) {
        if (template == null || !template.startsWith("/")) {
            throw malformed(template, "it must start with '/'");
        }
        String[] parts = template.substring(1).split("/", -1);
        List<Segment> segments = new ArrayList<>(parts.length);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            boolean last = i == parts.length - 1;
            if (p.isEmpty()) {
                if (!last) {
                    throw malformed(template, "it has an empty segment ('//')");
                }
                segments.add(new Segment(Kind.LITERAL, ""));
            } else if (p.startsWith("{") && p.endsWith("}")) {
                boolean wildcard = p.startsWith("{*");
                String name = p.substring(wildcard ? 2 : 1, p.length() - 1);
                if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                    throw malformed(template, "parameter '" + p + "' needs a name of letters, digits and '_'");
                }
                if (!names.add(name)) {
                    throw malformed(template, "parameter '" + name + "' appears twice");
                }
                if (wildcard && !last) {
                    throw malformed(template, "wildcard '" + p + "' must be the last segment");
                }
                segments.add(new Segment(wildcard ? Kind.WILDCARD : Kind.PARAM, name));
            } else if (p.indexOf('{') >= 0 || p.indexOf('}') >= 0) {
                throw malformed(template, "segment '" + p + "' mixes text and a parameter or has a stray brace");
            } else if (!p.matches("[A-Za-z0-9\\-._~!$&'()*+,;=:@%]+")) {
                throw malformed(template, "segment '" + p + "' has characters not allowed in a path");
            } else {
                segments.add(new Segment(Kind.LITERAL, p));
            }
        }
        return new RouteTemplate(template, List.copyOf(segments));
    }

    private static IllegalArgumentException malformed(String template, String why) {
        return new IllegalArgumentException("malformed route template '" + template + "': " + why);
    }

    /**
     * Matches decoded path segments (see {@link Router#splitPath(String)}).
     *
     * @return the parameters in template order, or null when the path does not match
     */
    public Map<String, String> match(List<String> pathSegments) {
        int n = segments.size();
        boolean wildcard = n > 0 && segments.get(n - 1).kind == Kind.WILDCARD;
        if (wildcard ? pathSegments.size() < n : pathSegments.size() != n) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < n; i++) {
            Segment s = segments.get(i);
            switch (s.kind) {
                case LITERAL:
                    if (!s.text.equals(pathSegments.get(i))) {
                        return null;
                    }
                    break;
                case PARAM:
                    String value = pathSegments.get(i);
                    if (value.isEmpty()) {
                        return null;
                    }
                    params = put(params, s.text, value);
                    break;
                default:
                    params = put(params, s.text, String.join("/", pathSegments.subList(i, pathSegments.size())));
            }
        }
        return params == null ? Map.of() : params;
    }

    private static Map<String, String> put(Map<String, String> params, String name, String value) {
        Map<String, String> m = params == null ? new LinkedHashMap<>(4) : params;
        m.put(name, value);
        return m;
    }

    /** Two templates that match exactly the same paths (parameter names aside). */
    public boolean sameShape(RouteTemplate other) {
        if (other.segments.size() != segments.size()) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            Segment a = segments.get(i);
            Segment b = other.segments.get(i);
            if (a.kind != b.kind || (a.kind == Kind.LITERAL && !a.text.equals(b.text))) {
                return false;
            }
        }
        return true;
    }

    /** Literal segments; more literals match first. */
    public int literalCount() {
        return literalCount;
    }

    /** Parameters, the wildcard included; fewer match first among equal literal counts. */
    public int paramCount() {
        return paramCount;
    }

    /** Parameter names in order. */
    public List<String> paramNames() {
        List<String> names = new ArrayList<>(paramCount);
        for (Segment s : segments) {
            if (s.kind != Kind.LITERAL) {
                names.add(s.text);
            }
        }
        return names;
    }

    @Override
    public String toString() {
        return template;
    }
}
