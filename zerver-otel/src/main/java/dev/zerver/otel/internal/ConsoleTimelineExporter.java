package dev.zerver.otel.internal;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The embedded default exporter: a readable waterfall per request on a terminal.
 *
 * <pre>
 * GET /posts/{id} 200 in 4.10 ms  trace 5b8aa5a2d2c872e8321cf37308d69df2
 *     offset   duration
 *      0.000      4.100  http.server: GET /posts/{id}
 *      0.020      0.010    step.route_match
 *      0.030      0.050    step.load_post  Need parallel/all x2
 *      0.080      3.000      db.get posts  ok  queue 0.02 run 0.10 park 2.88
 *      0.100      2.880        job.park(io_wait) sqlite  [promoted]
 * </pre>
 *
 * Offsets and durations are milliseconds from the request's start; indentation follows
 * parenthood; promoted spans are marked {@code [promoted]}, ERROR spans {@code [ERROR type]}.
 */
public final class ConsoleTimelineExporter implements SpanExporter {
    private final PrintStream out;

    public ConsoleTimelineExporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        Map<String, List<SpanData>> byTrace = new LinkedHashMap<>();
        for (SpanData s : spans) {
            byTrace.computeIfAbsent(s.getTraceId(), k -> new ArrayList<>()).add(s);
        }
        StringBuilder text = new StringBuilder();
        for (List<SpanData> trace : byTrace.values()) {
            render(trace, text);
        }
        out.print(text);
        out.flush();
        return CompletableResultCode.ofSuccess();
    }

    /** The waterfall of one trace. */
    public static String render(List<SpanData> trace) {
        StringBuilder text = new StringBuilder();
        render(trace, text);
        return text.toString();
    }

    private static void render(List<SpanData> trace, StringBuilder text) {
        SpanData root = null;
        Map<String, List<SpanData>> children = new LinkedHashMap<>();
        Set<String> ids = new HashSet<>();
        for (SpanData s : trace) {
            ids.add(s.getSpanId());
        }
        for (SpanData s : trace) {
            if (!ids.contains(s.getParentSpanId())) {
                if (root == null || s.getKind() == SpanKind.SERVER) {
                    root = s;
                }
            } else {
                children.computeIfAbsent(s.getParentSpanId(), k -> new ArrayList<>()).add(s);
            }
        }
        if (root == null) {
            return;
        }
        long origin = root.getStartEpochNanos();
        Attributes ra = root.getAttributes();
        Long status = ra.get(AttributeKey.longKey("http.response.status_code"));
        String route = ra.get(AttributeKey.stringKey("http.route"));
        text.append(ra.get(AttributeKey.stringKey("http.request.method"))).append(' ')
                .append(route != null ? route : ra.get(AttributeKey.stringKey("url.path"))).append(' ')
                .append(status == null ? "(no response)" : status.toString())
                .append(" in ").append(ms(root.getEndEpochNanos() - origin)).append(" ms  trace ")
                .append(root.getTraceId()).append('\n');
        text.append("    offset   duration\n");
        line(root, 0, origin, children, text);
    }

    private static void line(SpanData s, int depth, long origin, Map<String, List<SpanData>> children, StringBuilder text) {
        text.append(String.format(Locale.ROOT, "%10s %10s  ", ms(s.getStartEpochNanos() - origin),
                ms(s.getEndEpochNanos() - s.getStartEpochNanos())));
        text.append("  ".repeat(depth)).append(s.getName()).append(details(s)).append('\n');
        List<SpanData> kids = new ArrayList<>(children.getOrDefault(s.getSpanId(), List.of()));
        kids.sort(Comparator.comparingLong(SpanData::getStartEpochNanos));
        for (SpanData k : kids) {
            line(k, depth + 1, origin, children, text);
        }
    }

    private static String details(SpanData s) {
        Attributes a = s.getAttributes();
        StringBuilder d = new StringBuilder();
        if (s.getName().startsWith("job.")) {
            String token = a.get(AttributeKey.stringKey("job.park.token"));
            if (token != null) {
                d.append(' ').append(token);
            }
            Long current = a.get(AttributeKey.longKey("concurrency.limit.current"));
            Long max = a.get(AttributeKey.longKey("concurrency.limit.max"));
            if (current != null && max != null) {
                d.append(" (").append(current).append('/').append(max).append(')');
            }
            String queue = a.get(AttributeKey.stringKey("job.queue"));
            if (queue != null && token == null) {
                d.append(' ').append(queue);
            }
            d.append("  [promoted]");
        }
        String mode = a.get(AttributeKey.stringKey("need.mode"));
        if (mode != null) {
            d.append("  Need ").append(mode).append('/').append(a.get(AttributeKey.stringKey("need.join")))
                    .append(" x").append(a.get(AttributeKey.longKey("need.effects")));
        }
        if (s.getKind() == SpanKind.CLIENT) {
            d.append(Boolean.TRUE.equals(a.get(AttributeKey.booleanKey("effect.success"))) ? "  ok" : "  failed");
            Double queue = a.get(AttributeKey.doubleKey("job.queue_wait_ms"));
            Double run = a.get(AttributeKey.doubleKey("job.run_active_ms"));
            Double park = a.get(AttributeKey.doubleKey("job.park_wait_ms_total"));
            if (queue != null && run != null && park != null) {
                d.append(String.format(Locale.ROOT, "  queue %.2f run %.2f park %.2f", queue, run, park));
            }
        }
        if (s.getStatus().getStatusCode() == StatusCode.ERROR) {
            String type = a.get(AttributeKey.stringKey("error.type"));
            d.append("  [ERROR").append(type == null ? "" : " " + type).append(']');
        }
        return d.toString();
    }

    private static String ms(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1_000_000.0);
    }

    @Override
    public CompletableResultCode flush() {
        out.flush();
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return flush();
    }
}
