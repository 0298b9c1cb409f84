package dev.zerver.otel;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A trace as readable text for golden files: the tree by parenthood, each span's kind, name,
 * status, times (ms from the root's start), attributes sorted by key, and events in order.
 * Ids are left out (they are random); the request id is masked.
 */
final class TraceText {
    private TraceText() {}

    static String render(List<SpanData> spans) {
        Set<String> ids = new HashSet<>();
        for (SpanData s : spans) {
            ids.add(s.getSpanId());
        }
        Map<String, List<SpanData>> children = new LinkedHashMap<>();
        List<SpanData> roots = new ArrayList<>();
        for (SpanData s : spans) {
            if (ids.contains(s.getParentSpanId())) {
                children.computeIfAbsent(s.getParentSpanId(), k -> new ArrayList<>()).add(s);
            } else {
                roots.add(s);
            }
        }
        StringBuilder out = new StringBuilder();
        for (SpanData root : roots) {
            out.append(root.getParentSpanContext().isRemote() ? "(remote parent)\n" : "");
            span(root, 0, root.getStartEpochNanos(), children, out);
        }
        return out.toString();
    }

    private static void span(SpanData s, int depth, long origin, Map<String, List<SpanData>> children, StringBuilder out) {
        String pad = "  ".repeat(depth);
        out.append(pad).append(s.getKind()).append(' ').append(s.getName())
                .append("  [").append(s.getStatus().getStatusCode())
                .append(s.getStatus().getDescription().isEmpty() ? "" : ": " + s.getStatus().getDescription()).append(']')
                .append("  ").append(ms(s.getStartEpochNanos() - origin)).append(" .. ")
                .append(ms(s.getEndEpochNanos() - origin)).append('\n');
        for (Map.Entry<String, String> a : attributes(s.getAttributes()).entrySet()) {
            out.append(pad).append("    ").append(a.getKey()).append(" = ").append(a.getValue()).append('\n');
        }
        for (EventData e : s.getEvents()) {
            out.append(pad).append("    @").append(ms(e.getEpochNanos() - origin)).append(' ').append(e.getName());
            for (Map.Entry<String, String> a : attributes(e.getAttributes()).entrySet()) {
                out.append(' ').append(a.getKey()).append('=').append(a.getValue());
            }
            out.append('\n');
        }
        if (s.getTotalRecordedEvents() > s.getEvents().size()) {
            out.append(pad).append("    (").append(s.getTotalRecordedEvents() - s.getEvents().size())
                    .append(" events dropped)\n");
        }
        List<SpanData> kids = new ArrayList<>(children.getOrDefault(s.getSpanId(), List.of()));
        kids.sort(java.util.Comparator.comparingLong(SpanData::getStartEpochNanos)); // stable: ties keep assembly order
        for (SpanData child : kids) {
            span(child, depth + 1, origin, children, out);
        }
    }

    private static Map<String, String> attributes(Attributes attributes) {
        Map<String, String> sorted = new TreeMap<>();
        attributes.forEach((AttributeKey<?> k, Object v) -> sorted.put(k.getKey(),
                k.getKey().equals("zerver.request_id") ? "<request id>" : value(v)));
        return sorted;
    }

    private static String value(Object v) {
        if (v instanceof String s) {
            return '"' + s + '"';
        }
        if (v instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object o : list) {
                items.add(value(o));
            }
            return items.toString();
        }
        return String.valueOf(v);
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3fms", nanos / 1_000_000.0);
    }
}
