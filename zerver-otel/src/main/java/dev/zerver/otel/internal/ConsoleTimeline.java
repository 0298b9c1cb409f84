package dev.zerver.otel.internal;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The embedded default exporter: a readable waterfall per request on a terminal.
 *
 * <pre>
 * GET /posts/{id} 200 in 4.100 ms  trace 5b8aa5a2d2c872e8321cf37308d69df2
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
 *
 * <p>A request that continues a trace from elsewhere (its root has a remote parent) is held for
 * up to a second: when the request it came from is served by this process too, it prints inside
 * that request's waterfall, under the span that called it, instead of as a block of its own.
 */
final class ConsoleTimeline implements TraceSink {
    private static final long HOLD_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final PrintStream out;
    /** Downstream fragments waiting for their upstream request, by trace id. */
    private final Map<String, Held> held = new LinkedHashMap<>();
    /** The batch's waterfalls, printed when it is sent. */
    private final StringBuilder text = new StringBuilder();

    private record Row(long spanId, long parentId, String name, long start, long end, String details) {}

    private record Fragment(long remoteParent, String header, List<Row> rows) {}

    private static final class Held {
        final long since;
        final List<Fragment> fragments = new ArrayList<>(1);

        Held(long since) {
            this.since = since;
        }
    }

    ConsoleTimeline(PrintStream out) {
        this.out = out;
    }

    @Override
    public boolean interactive() {
        return true;
    }

    @Override
    public void add(Trace t) {
        Fragment f = fragment(t);
        if (t.remoteParentSpanId != 0) {
            held.computeIfAbsent(t.traceIdHex, k -> new Held(System.nanoTime())).fragments.add(f);
            return;
        }
        Held downstream = held.remove(t.traceIdHex);
        int mark = text.length();
        try {
            render(f, downstream == null ? List.of() : downstream.fragments, text);
        } catch (RuntimeException e) {
            text.setLength(mark);
            throw e;
        }
    }

    @Override
    public void send(int count, int spans, Outcome outcome) {
        releaseHeld(System.nanoTime() - HOLD_NANOS, text);
        out.print(text);
        out.flush();
        text.setLength(0);
        outcome.delivered(count, spans);
    }

    /** Prints held fragments that waited since before {@code before} on their own. */
    private void releaseHeld(long before, StringBuilder text) {
        var it = held.values().iterator();
        while (it.hasNext()) {
            Held h = it.next();
            if (h.since - before > 0) {
                continue;
            }
            it.remove();
            for (Fragment f : h.fragments) {
                render(f, List.of(), text);
            }
        }
    }

    @Override
    public boolean awaitIdle(long timeoutNanos) {
        StringBuilder rest = new StringBuilder();
        releaseHeld(Long.MAX_VALUE, rest);
        out.print(rest);
        out.flush();
        return true;
    }

    @Override
    public void shutdown() {
        awaitIdle(0);
    }

    /** The waterfall of one trace on its own. */
    static String render(Trace t) {
        StringBuilder text = new StringBuilder();
        render(fragment(t), List.of(), text);
        return text.toString();
    }

    private static Fragment fragment(Trace t) {
        List<Row> rows = new ArrayList<>(t.spanCount);
        for (int i = 0; i < t.spanCount; i++) {
            TraceSpan s = t.span(i);
            rows.add(new Row(s.spanId, s.parentSpanId, s.name, s.startEpochNanos, s.endEpochNanos, details(s)));
        }
        TraceSpan root = t.span(0);
        TraceSpan.Attrs a = root.attrs;
        String route = a.string("http.route");
        long status = a.number("http.response.status_code", -1);
        String header = a.string("http.request.method") + ' ' + (route != null ? route : a.string("url.path")) + ' '
                + (status < 0 ? "(no response)" : Long.toString(status)) + " in "
                + ms(root.endEpochNanos - root.startEpochNanos) + " ms  trace " + t.traceIdHex;
        return new Fragment(t.remoteParentSpanId, header, rows);
    }

    private static void render(Fragment f, List<Fragment> downstream, StringBuilder text) {
        List<Row> rows = new ArrayList<>(f.rows());
        Map<Long, Long> attach = new HashMap<>();
        for (Fragment d : downstream) {
            rows.addAll(d.rows());
            // the downstream root hangs under the span that called it, or under this root
            boolean callerHere = f.rows().stream().anyMatch(r -> r.spanId() == d.remoteParent());
            attach.put(d.rows().get(0).spanId(), callerHere ? d.remoteParent() : f.rows().get(0).spanId());
        }
        Map<Long, List<Row>> children = new HashMap<>();
        for (Row r : rows) {
            long parent = attach.getOrDefault(r.spanId(), r.parentId());
            if (parent != 0) {
                children.computeIfAbsent(parent, k -> new ArrayList<>()).add(r);
            }
        }
        Row root = f.rows().get(0);
        text.append(f.header()).append('\n');
        text.append("    offset   duration\n");
        line(root, 0, root.start(), children, text);
    }

    private static void line(Row r, int depth, long origin, Map<Long, List<Row>> children, StringBuilder text) {
        padded(ms(r.start() - origin), 10, text).append(' ');
        padded(ms(r.end() - r.start()), 10, text).append("  ");
        text.append("  ".repeat(depth)).append(r.name()).append(r.details()).append('\n');
        List<Row> kids = children.get(r.spanId());
        if (kids != null) {
            kids.sort(Comparator.comparingLong(Row::start));
            for (Row k : kids) {
                line(k, depth + 1, origin, children, text);
            }
        }
    }

    private static String details(TraceSpan s) {
        TraceSpan.Attrs a = s.attrs;
        StringBuilder d = new StringBuilder();
        if (s.promoted) {
            String token = a.string("job.park.token");
            if (token != null) {
                d.append(' ').append(token);
            }
            long current = a.number("concurrency.limit.current", -1);
            long max = a.number("concurrency.limit.max", -1);
            if (current >= 0 && max >= 0) {
                d.append(" (").append(current).append('/').append(max).append(')');
            }
            String queue = a.string("job.queue");
            if (queue != null && token == null) {
                d.append(' ').append(queue);
            }
            d.append("  [promoted]");
        }
        String mode = a.string("need.mode");
        if (mode != null) {
            d.append("  Need ").append(mode).append('/').append(a.string("need.join"))
                    .append(" x").append(a.number("need.effects", 0));
        }
        if (s.kind == SpanKind.CLIENT) {
            d.append(a.bool("effect.success") ? "  ok" : "  failed");
            double queue = a.decimal("job.queue_wait_ms", Double.NaN);
            double run = a.decimal("job.run_active_ms", Double.NaN);
            double park = a.decimal("job.park_wait_ms_total", Double.NaN);
            if (!Double.isNaN(queue) && !Double.isNaN(run) && !Double.isNaN(park)) {
                d.append("  queue ").append(twoDecimals(queue)).append(" run ").append(twoDecimals(run))
                        .append(" park ").append(twoDecimals(park));
            }
        }
        if (s.status == StatusCode.ERROR) {
            String type = a.string("error.type");
            d.append("  [ERROR").append(type == null ? "" : " " + type).append(']');
        }
        return d.toString();
    }

    // Numbers are formatted by hand: String.format builds its locale's symbols on every call of a
    // floating-point format, which was a third of the console's export thread (JFR).

    /** Milliseconds with three decimals, rounded half up: what {@code %.3f} prints. */
    static String ms(long nanos) {
        long micros = (Math.abs(nanos) + 500) / 1000;
        StringBuilder b = new StringBuilder(12);
        if (nanos < 0) {
            b.append('-');
        }
        b.append(micros / 1000).append('.');
        long fraction = micros % 1000;
        if (fraction < 100) {
            b.append('0');
        }
        if (fraction < 10) {
            b.append('0');
        }
        return b.append(fraction).toString();
    }

    /** Two decimals, rounded half up from the shortest decimal form: what {@code %.2f} prints. */
    static String twoDecimals(double value) {
        return BigDecimal.valueOf(value).setScale(2, RoundingMode.HALF_UP).toPlainString();
    }

    private static StringBuilder padded(String s, int width, StringBuilder text) {
        for (int i = s.length(); i < width; i++) {
            text.append(' ');
        }
        return text.append(s);
    }
}
