package dev.zerver.otel.internal;

import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.io.PrintStream;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code OTEL_METRICS_EXPORTER=console}: every interval, one line per route with its requests,
 * server errors and p50/p95/p99 (read from the {@code http.server.duration_ms} histogram's
 * buckets, so each is the upper edge of its bucket) over the interval.
 */
final class ConsoleMetricExporter implements MetricExporter {
    private final PrintStream out;

    ConsoleMetricExporter(PrintStream out) {
        this.out = out;
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.DELTA;
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
        Map<String, Route> routes = new TreeMap<>();
        for (MetricData m : metrics) {
            if (!m.getName().equals("http.server.duration_ms")) {
                continue;
            }
            for (HistogramPointData p : m.getHistogramData().getPoints()) {
                String route = p.getAttributes().get(RequestMetrics.ROUTE_SHORT);
                Route r = routes.computeIfAbsent(route == null || route.isEmpty() ? "(no route)" : route,
                        k -> new Route(p.getBoundaries()));
                r.add(p, "5xx".equals(p.getAttributes().get(RequestMetrics.STATUS_CLASS)));
            }
        }
        routes.forEach((route, r) -> {
            if (r.requests > 0) {
                out.printf("metrics %-32s %6d requests %4d 5xx  p50 <= %s  p95 <= %s  p99 <= %s ms%n", route, r.requests,
                        r.errors, r.edge(0.50), r.edge(0.95), r.edge(0.99));
            }
        });
        out.flush();
        return CompletableResultCode.ofSuccess();
    }

    /** One route's points of the histogram summed (they share the instrument's bucket boundaries). */
    private static final class Route {
        final List<Double> bounds;
        final long[] buckets;
        long requests;
        long errors;

        Route(List<Double> bounds) {
            this.bounds = bounds;
            this.buckets = new long[bounds.size() + 1];
        }

        void add(HistogramPointData p, boolean serverErrors) {
            List<Long> counts = p.getCounts();
            for (int i = 0; i < buckets.length && i < counts.size(); i++) {
                buckets[i] += counts.get(i);
            }
            requests += p.getCount();
            errors += serverErrors ? p.getCount() : 0;
        }

        /** The upper bound of the bucket holding the {@code q} quantile. */
        String edge(double q) {
            long rank = (long) Math.ceil(q * requests);
            long seen = 0;
            for (int i = 0; i < buckets.length; i++) {
                seen += buckets[i];
                if (seen >= rank) {
                    return i < bounds.size() ? String.valueOf(bounds.get(i).longValue()) : "inf";
                }
            }
            return "inf";
        }
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
