package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.otel.SamplerSpec;
import dev.zerver.otel.Threshold;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.ParkEpisode;
import dev.zerver.telemetry.RequestRecord;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Route percentiles over the sliding window {@code ZER_VER_METRICS_VIEW_ROUTE_P95_WINDOW}: per
 * route template (so the router bounds their number), request duration, job queue wait, park
 * episode length and job park total, and the failed requests' durations (for an error rate). Fed
 * by every finished request, sampled or not, and only when something needs them (a {@code p95}/
 * {@code p99} threshold, a percentile tail trigger or the trace viewer), so that the default
 * configuration pays nothing.
 */
public final class RouteStats {
    static final long FALLBACK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final long windowNanos;
    private final Threshold queueThreshold;
    private final Threshold parkThreshold;
    private final boolean enabled;
    private final Limits fixed;
    private final ConcurrentHashMap<String, Route> routes = new ConcurrentHashMap<>();

    /** One route's four windows. */
    private static final class Route {
        final WindowedHistogram duration;
        final WindowedHistogram queueWait;
        final WindowedHistogram parkEpisode;
        final WindowedHistogram parkTotal;
        final WindowedHistogram failed;

        Route(long windowNanos) {
            failed = new WindowedHistogram(windowNanos);
            duration = new WindowedHistogram(windowNanos);
            queueWait = new WindowedHistogram(windowNanos);
            parkEpisode = new WindowedHistogram(windowNanos);
            parkTotal = new WindowedHistogram(windowNanos);
        }
    }

    /** One route's window as the trace viewer shows it: -1 for a percentile of an empty window. */
    public record Summary(String route, long count, long failed, long p50Nanos, long p95Nanos, long p99Nanos) {}

    public RouteStats(OtelSettings settings) {
        this(settings, false);
    }

    /** {@code always}: record every request even when no setting uses percentiles (the viewer's route page). */
    public RouteStats(OtelSettings settings, boolean always) {
        this.windowNanos = settings.routeWindow().toNanos();
        this.queueThreshold = settings.promoteQueue();
        this.parkThreshold = settings.promotePark();
        boolean percentileTail = settings.sampler().tail().stream().anyMatch(SamplerSpec.TailTrigger::needsPercentiles);
        this.enabled = always || queueThreshold.isPercentile() || parkThreshold.isPercentile() || percentileTail;
        this.fixed = fixedLimits(settings);
    }

    /** The limits without route percentiles: fixed thresholds, 5 ms for percentile ones. */
    static Limits fixedLimits(OtelSettings settings) {
        return Limits.fixed(fixedNanos(settings.promoteQueue()), fixedNanos(settings.promotePark()));
    }

    private static long fixedNanos(Threshold t) {
        return t.isPercentile() ? FALLBACK_NANOS : (long) Math.ceil(t.millis() * 1_000_000.0);
    }

    /** Whether any setting uses route percentiles. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * The limits the request is judged by (from the windows as they were before it), then its own
     * samples added to its route's windows.
     */
    public Limits judgeAndRecord(RequestRecord r) {
        if (!enabled) {
            return fixed;
        }
        Route route = routes.computeIfAbsent(r.route() == null ? "" : r.route(), k -> new Route(windowNanos));
        long now = Math.max(r.endNanos(), r.startNanos());
        Limits limits = limits(route, now);
        record(route, r, now);
        return limits;
    }

    /** The limits a request of this route would be judged by now, without recording it (tools and tests). */
    public Limits current(RequestRecord r) {
        if (!enabled) {
            return fixed;
        }
        Route route = routes.get(r.route() == null ? "" : r.route());
        return route == null ? limitsWithout() : limits(route, Math.max(r.endNanos(), r.startNanos()));
    }

    /** Every route's window as of {@code nowNanos} (the runtime clock), in no particular order. */
    public List<Summary> summaries(long nowNanos) {
        List<Summary> out = new java.util.ArrayList<>();
        routes.forEach((name, route) -> {
            long[] q = route.duration.quantiles(nowNanos, 0.50, 0.95, 0.99);
            out.add(new Summary(name, q[0], route.failed.quantiles(nowNanos)[0], q[1], q[2], q[3]));
        });
        return out;
    }

    private Limits limitsWithout() {
        return new Limits(fixed.promoteQueueNanos(), fixed.promoteParkNanos(), true, -1, -1, -1, -1);
    }

    private Limits limits(Route route, long now) {
        WindowedHistogram.Snapshot d = route.duration.read(now);
        WindowedHistogram.Snapshot q = route.queueWait.read(now);
        WindowedHistogram.Snapshot pe = route.parkEpisode.read(now);
        WindowedHistogram.Snapshot pt = route.parkTotal.read(now);
        return new Limits(threshold(queueThreshold, q), threshold(parkThreshold, pe),
                queueThreshold.isPercentile() || parkThreshold.isPercentile(),
                d.p95Nanos(), d.p99Nanos(), q.p95Nanos(), pt.p95Nanos());
    }

    /** A percentile threshold resolved on its window, 5 ms until the window has 100 samples. */
    private static long threshold(Threshold t, WindowedHistogram.Snapshot s) {
        if (!t.isPercentile()) {
            return fixedNanos(t);
        }
        long p = t.percentile() == 95 ? s.p95Nanos() : s.p99Nanos();
        return p < 0 ? FALLBACK_NANOS : p;
    }

    private static void record(Route route, RequestRecord r, long now) {
        route.duration.record(Math.max(0, r.endNanos() - r.startNanos()), now);
        if (TraceExport.failed(r)) {
            route.failed.record(Math.max(0, r.endNanos() - r.startNanos()), now);
        }
        List<JobRecord> jobs = r.jobs();
        for (int i = 0; i < jobs.size(); i++) {
            JobRecord j = jobs.get(i);
            if (j.endNanos() < 0) {
                continue;
            }
            var d = j.durations();
            if (j.enqueueNanos() >= 0) {
                route.queueWait.record(d.queueWait(), now);
            }
            List<ParkEpisode> parks = j.parks();
            if (!parks.isEmpty()) {
                route.parkTotal.record(d.parkWaitTotal(), now);
                for (int k = 0; k < parks.size(); k++) {
                    ParkEpisode p = parks.get(k);
                    route.parkEpisode.record(Promotion.length(j, p), now);
                }
            }
        }
    }
}
