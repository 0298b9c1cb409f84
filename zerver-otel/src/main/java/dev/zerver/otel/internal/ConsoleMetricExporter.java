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
        Map<String, long[]> counts = new TreeMap<>(); // route -> {requests, 5xx}
        Map<String, HistogramPointData> merged = new TreeMap<>();
        for (MetricData m : metrics) {
            if (!m.getName().equals("http.server.duration_ms")) {
                continue;
            }
            for (HistogramPointData p : m.getHistogramData().getPoints()) {
                String route = p.getAttributes().get(RequestMetrics.ROUTE_SHORT);
                String statusClass = p.getAttributes().get(RequestMetrics.STATUS_CLASS);
                String key = route == null || route.isEmpty() ? "(no route)" : route;
                long[] c = counts.computeIfAbsent(key, k -> new long[2]);
                c[0] += p.getCount();
                if ("5xx".equals(statusClass)) {
                    c[1] += p.getCount();
                }
                merged.merge(key, p, ConsoleMetricExporter::add);
            }
        }
        counts.forEach((route, c) -> {
            if (c[0] > 0) {
                HistogramPointData p = merged.get(route);
                out.printf("metrics %-32s %6d requests %4d 5xx  p50 <= %s  p95 <= %s  p99 <= %s ms%n", route, c[0], c[1],
                        edge(p, 0.50), edge(p, 0.95), edge(p, 0.99));
            }
        });
        out.flush();
        return CompletableResultCode.ofSuccess();
    }

    /** Two points of the same histogram (same boundaries) summed, as a view for the percentiles. */
    private static HistogramPointData add(HistogramPointData a, HistogramPointData b) {
        long[] sum = new long[a.getCounts().size()];
        for (int i = 0; i < sum.length; i++) {
            sum[i] = a.getCounts().get(i) + b.getCounts().get(i);
        }
        return io.opentelemetry.sdk.metrics.internal.data.ImmutableHistogramPointData.create(a.getStartEpochNanos(),
                a.getEpochNanos(), a.getAttributes(), a.getSum() + b.getSum(), false, 0, false, 0, a.getBoundaries(),
                toList(sum));
    }

    private static List<Long> toList(long[] values) {
        List<Long> out = new java.util.ArrayList<>(values.length);
        for (long v : values) {
            out.add(v);
        }
        return out;
    }

    private static String edge(HistogramPointData p, double q) {
        long rank = (long) Math.ceil(q * p.getCount());
        long seen = 0;
        List<Long> counts = p.getCounts();
        List<Double> bounds = p.getBoundaries();
        for (int i = 0; i < counts.size(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return i < bounds.size() ? String.valueOf(bounds.get(i).longValue()) : "inf";
            }
        }
        return "inf";
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
