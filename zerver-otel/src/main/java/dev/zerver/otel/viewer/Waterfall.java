package dev.zerver.otel.viewer;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One trace laid out for the viewer: its spans in tree order with their depth, each job's bar cut
 * into queue, dispatch, run and park segments (from the span's duration attributes and park
 * events, the same telemetry an exporter sends), and a sentence saying where the time went.
 */
final class Waterfall {
    static final AttributeKey<Double> QUEUE_WAIT = AttributeKey.doubleKey("job.queue_wait_ms");
    static final AttributeKey<Double> DISPATCH = AttributeKey.doubleKey("job.dispatch_ms");
    static final AttributeKey<String> PARK_CAUSE = AttributeKey.stringKey("job.park.cause");
    static final AttributeKey<String> PARK_TOKEN = AttributeKey.stringKey("job.park.token");
    static final AttributeKey<Long> LIMIT_CURRENT = AttributeKey.longKey("concurrency.limit.current");
    static final AttributeKey<Long> LIMIT_MAX = AttributeKey.longKey("concurrency.limit.max");
    static final AttributeKey<String> SERVICE = AttributeKey.stringKey("service.name");

    /** A part of a job's bar, in nanoseconds since the trace's start. */
    record Segment(String kind, String cause, String label, long startNanos, long endNanos) {}

    /** A span in tree order. */
    record Row(SpanData span, int depth, String label, boolean promoted, List<Segment> segments) {}

    final long startEpochNanos;
    final long endEpochNanos;
    final List<Row> rows;
    final String summary;
    private final Map<String, SpanData> byId = new HashMap<>();

    /** {@code spans}: those of the trace's captured requests, the first request's first. */
    Waterfall(List<SpanData> spans) {
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (SpanData s : spans) {
            start = Math.min(start, s.getStartEpochNanos());
            end = Math.max(end, s.getEndEpochNanos());
        }
        this.startEpochNanos = spans.isEmpty() ? 0 : start;
        this.endEpochNanos = spans.isEmpty() ? 0 : end;
        this.rows = new ArrayList<>();
        Map<String, List<SpanData>> children = new HashMap<>();
        for (SpanData s : spans) {
            byId.put(s.getSpanId(), s);
        }
        List<SpanData> tops = new ArrayList<>();
        for (SpanData s : spans) {
            if (byId.containsKey(s.getParentSpanId())) {
                children.computeIfAbsent(s.getParentSpanId(), k -> new ArrayList<>()).add(s);
            } else {
                tops.add(s);
            }
        }
        Comparator<SpanData> byStart = Comparator.comparingLong(SpanData::getStartEpochNanos);
        tops.sort(byStart);
        children.values().forEach(list -> list.sort(byStart));
        for (SpanData top : tops) {
            add(top, 0, children, byStart);
        }
        this.summary = spans.isEmpty() ? "" : explain(spans.get(0));
    }

    private void add(SpanData s, int depth, Map<String, List<SpanData>> children, Comparator<SpanData> byStart) {
        boolean promoted = s.getName().startsWith("job.park(") || s.getName().equals("job.queue_wait");
        rows.add(new Row(s, depth, label(s), promoted, segments(s)));
        for (SpanData c : children.getOrDefault(s.getSpanId(), List.of())) {
            add(c, depth + 1, children, byStart);
        }
    }

    /** The span's name, and for a park what it waited on and the limit: {@code job.park(backpressure) db_pool (1/1)}. */
    static String label(SpanData s) {
        String token = s.getAttributes().get(PARK_TOKEN);
        return token == null ? s.getName() : s.getName() + " " + token + limits(s.getAttributes());
    }

    private static String limits(Attributes a) {
        Long current = a.get(LIMIT_CURRENT);
        Long max = a.get(LIMIT_MAX);
        return current != null && max != null ? " (" + current + "/" + max + ")" : "";
    }

    /**
     * A job's bar: queue and dispatch from the duration attributes, then run, cut by each park
     * episode ({@code zerver.job.parked} to {@code zerver.job.resumed}). Only spans that cover their
     * job from enqueue (effects, continuations) have one; the root's job is its first part.
     */
    private List<Segment> segments(SpanData s) {
        Double queue = s.getAttributes().get(QUEUE_WAIT);
        Double dispatch = s.getAttributes().get(DISPATCH);
        if (queue == null || dispatch == null) {
            return List.of();
        }
        boolean wholeJob = s.getKind() == SpanKind.CLIENT || s.getName().endsWith(".resume");
        List<Segment> out = new ArrayList<>();
        long t = s.getStartEpochNanos() - startEpochNanos;
        long end = s.getEndEpochNanos() - startEpochNanos;
        long q = Math.min(end - t, millisToNanos(queue));
        // Effects wait for effect workers; the root's and continuations' jobs for step workers.
        String queued = s.getKind() == SpanKind.CLIENT ? "queued for an effect worker" : "queued for a step worker";
        out.add(new Segment("queue", null, queued, t, t + q));
        t += q;
        long d = Math.min(end - t, millisToNanos(dispatch));
        out.add(new Segment("dispatch", null, "dispatch", t, t + d));
        t += d;
        if (!wholeJob) {
            return out;
        }
        EventData parked = null;
        for (EventData e : s.getEvents()) {
            if (e.getName().equals("zerver.job.parked")) {
                parked = e;
            } else if (e.getName().equals("zerver.job.resumed") && parked != null) {
                long from = Math.max(t, parked.getEpochNanos() - startEpochNanos);
                long to = Math.min(end, e.getEpochNanos() - startEpochNanos);
                if (from > t) {
                    out.add(new Segment("run", null, "running", t, from));
                }
                Attributes a = parked.getAttributes();
                String cause = a.get(PARK_CAUSE);
                out.add(new Segment("park", cause, "parked on " + cause + " for " + a.get(PARK_TOKEN) + limits(a), from,
                        Math.max(from, to)));
                t = Math.max(from, to);
                parked = null;
            }
        }
        if (end > t) {
            out.add(new Segment("run", null, "running", t, end));
        }
        return out;
    }

    private static long millisToNanos(double ms) {
        return Math.max(0, Math.round(ms * 1_000_000.0));
    }

    /**
     * Where the first request's time went: its duration, how much of it some job spent queued or
     * parked (overlapping waits counted once), and the largest causes. The downstream requests of
     * the trace are on the page but not in the sentence: their time is inside the calls that made them.
     */
    private String explain(SpanData root) {
        long total = root.getEndEpochNanos() - root.getStartEpochNanos();
        if (total <= 0) {
            return "";
        }
        long rootStart = root.getStartEpochNanos() - startEpochNanos;
        long rootEnd = rootStart + total;
        Map<String, List<long[]>> byCause = new LinkedHashMap<>();
        List<long[]> all = new ArrayList<>();
        for (Row r : rows) {
            if (!sameRequest(r.span(), root)) {
                continue;
            }
            for (Segment s : r.segments()) {
                if ((s.kind().equals("queue") || s.kind().equals("park")) && s.endNanos() > s.startNanos()) {
                    long[] interval = {Math.max(rootStart, s.startNanos()), Math.min(rootEnd, s.endNanos())};
                    byCause.computeIfAbsent(s.label(), k -> new ArrayList<>()).add(interval);
                    all.add(interval);
                }
            }
        }
        long waiting = union(all);
        String slowest = slowestWork(root);
        if (waiting * 10 < total) {
            return "%s ms, almost all of it working: %s ms queued or parked.%s".formatted(ms(total), ms(waiting), slowest);
        }
        List<Map.Entry<String, Long>> causes = new ArrayList<>();
        byCause.forEach((label, intervals) -> causes.add(Map.entry(label, union(intervals))));
        causes.sort(Map.Entry.<String, Long>comparingByValue().reversed());
        StringBuilder b = new StringBuilder().append(ms(waiting)).append(" of ").append(ms(total)).append(" ms waiting: ");
        for (int i = 0; i < Math.min(3, causes.size()); i++) {
            b.append(i == 0 ? "" : ", ").append(ms(causes.get(i).getValue())).append(" ms ").append(causes.get(i).getKey());
        }
        return b.append('.').append(slowest).toString();
    }

    /** Spans of the same request as the root: same service and inside its interval (downstream roots are SERVER spans of their own). */
    private boolean sameRequest(SpanData s, SpanData root) {
        if (s == root) {
            return true;
        }
        SpanData top = s;
        while (top.getKind() != SpanKind.SERVER && byId.containsKey(top.getParentSpanId())) {
            top = byId.get(top.getParentSpanId());
        }
        return top == root;
    }

    /** The longest step's own execution, when it is a noticeable part of the request. */
    private String slowestWork(SpanData root) {
        SpanData best = null;
        for (Row r : rows) {
            SpanData s = r.span();
            if (s.getName().startsWith("step.") && root.getSpanId().equals(s.getParentSpanId())
                    && (best == null || duration(s) > duration(best))) {
                best = s;
            }
        }
        if (best == null || duration(best) * 10 < duration(root)) {
            return "";
        }
        return " Longest step: %s (%s ms).".formatted(best.getName(), ms(duration(best)));
    }

    private static long duration(SpanData s) {
        return s.getEndEpochNanos() - s.getStartEpochNanos();
    }

    /** The length covered by the intervals, overlaps counted once. */
    static long union(List<long[]> intervals) {
        List<long[]> sorted = new ArrayList<>(intervals);
        sorted.sort(Comparator.comparingLong(i -> i[0]));
        long covered = 0;
        long from = Long.MIN_VALUE;
        long to = Long.MIN_VALUE;
        for (long[] i : sorted) {
            if (i[1] <= i[0]) {
                continue;
            }
            if (i[0] > to) {
                covered += Math.max(0, to - from);
                from = i[0];
                to = i[1];
            } else {
                to = Math.max(to, i[1]);
            }
        }
        return covered + Math.max(0, to - from);
    }

    /** Milliseconds as people read them: one decimal below 10 ms. */
    static String ms(long nanos) {
        double ms = nanos / 1e6;
        return ms < 10 ? String.format(Locale.ROOT, "%.1f", ms) : Long.toString(Math.round(ms));
    }
}
