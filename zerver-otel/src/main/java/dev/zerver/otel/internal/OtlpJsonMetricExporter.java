package dev.zerver.otel.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.DoubleExemplarData;
import io.opentelemetry.sdk.metrics.data.DoublePointData;
import io.opentelemetry.sdk.metrics.data.ExemplarData;
import io.opentelemetry.sdk.metrics.data.HistogramPointData;
import io.opentelemetry.sdk.metrics.data.LongExemplarData;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.PointData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import io.opentelemetry.sdk.resources.Resource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * OTLP/HTTP JSON for metrics ({@code OTEL_EXPORTER_OTLP_METRICS_PROTOCOL=http/json}), which the
 * SDK's exporters do not offer: an {@code ExportMetricsServiceRequest} in the protobuf JSON
 * mapping (lowerCamelCase names, hex ids, 64-bit integers as strings, enums as numbers), posted
 * by {@link OtlpHttpPost} like the traces. Encodes the kinds Zerver records: gauges, sums and
 * explicit-bucket histograms.
 */
final class OtlpJsonMetricExporter implements MetricExporter {
    private static final Logger LOG = Logger.getLogger(OtlpJsonMetricExporter.class.getName());
    private static final JsonFactory JSON = new JsonFactory();

    private final OtlpHttpPost post;

    OtlpJsonMetricExporter(String endpoint, Map<String, String> headers, boolean gzip, Duration timeout) {
        this.post = new OtlpHttpPost(endpoint, "application/json", headers, gzip, timeout, 1, "zerver-otlp-metrics", null);
    }

    @Override
    public AggregationTemporality getAggregationTemporality(InstrumentType instrumentType) {
        return AggregationTemporality.CUMULATIVE;
    }

    @Override
    public CompletableResultCode export(Collection<MetricData> metrics) {
        CompletableResultCode result = new CompletableResultCode();
        byte[] body;
        try {
            body = encode(metrics);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "OTLP metrics: could not encode: " + e);
            return result.fail();
        }
        post.post(body, 0, body.length, new OtlpHttpPost.Result() {
            @Override
            public void delivered() {
                result.succeed();
            }

            @Override
            public void failed(String why) {
                LOG.warning(why);
                result.fail();
            }
        });
        return result;
    }

    /** The request body for {@code metrics}, grouped by resource and then by instrumentation scope. */
    static byte[] encode(Collection<MetricData> metrics) {
        Map<Resource, Map<InstrumentationScopeInfo, List<MetricData>>> grouped = new LinkedHashMap<>();
        for (MetricData m : metrics) {
            grouped.computeIfAbsent(m.getResource(), r -> new LinkedHashMap<>())
                    .computeIfAbsent(m.getInstrumentationScopeInfo(), s -> new ArrayList<>()).add(m);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("resourceMetrics");
            for (var byResource : grouped.entrySet()) {
                g.writeStartObject();
                g.writeObjectFieldStart("resource");
                OtlpJsonEncoder.attributes(g, "attributes", byResource.getKey().getAttributes());
                g.writeEndObject();
                g.writeArrayFieldStart("scopeMetrics");
                for (var byScope : byResource.getValue().entrySet()) {
                    g.writeStartObject();
                    OtlpJsonEncoder.scope(g, byScope.getKey());
                    g.writeArrayFieldStart("metrics");
                    for (MetricData m : byScope.getValue()) {
                        metric(g, m);
                    }
                    g.writeEndArray();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void metric(JsonGenerator g, MetricData m) throws IOException {
        g.writeStartObject();
        g.writeStringField("name", m.getName());
        g.writeStringField("description", m.getDescription());
        g.writeStringField("unit", m.getUnit());
        switch (m.getType()) {
            case LONG_GAUGE -> points(g, "gauge", m.getLongGaugeData().getPoints(), null);
            case DOUBLE_GAUGE -> points(g, "gauge", m.getDoubleGaugeData().getPoints(), null);
            case LONG_SUM -> points(g, "sum", m.getLongSumData().getPoints(), m.getLongSumData());
            case DOUBLE_SUM -> points(g, "sum", m.getDoubleSumData().getPoints(), m.getDoubleSumData());
            case HISTOGRAM -> {
                g.writeObjectFieldStart("histogram");
                g.writeArrayFieldStart("dataPoints");
                for (HistogramPointData p : m.getHistogramData().getPoints()) {
                    g.writeStartObject();
                    common(g, p);
                    g.writeStringField("count", Long.toString(p.getCount()));
                    g.writeNumberField("sum", p.getSum());
                    g.writeArrayFieldStart("bucketCounts");
                    for (Long c : p.getCounts()) {
                        g.writeString(c.toString());
                    }
                    g.writeEndArray();
                    g.writeArrayFieldStart("explicitBounds");
                    for (Double b : p.getBoundaries()) {
                        g.writeNumber(b);
                    }
                    g.writeEndArray();
                    if (p.hasMin()) {
                        g.writeNumberField("min", p.getMin());
                    }
                    if (p.hasMax()) {
                        g.writeNumberField("max", p.getMax());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeNumberField("aggregationTemporality", temporality(m.getHistogramData().getAggregationTemporality()));
                g.writeEndObject();
            }
            default -> { } // exponential histograms and summaries: Zerver records none
        }
        g.writeEndObject();
    }

    private static void points(JsonGenerator g, String field, Collection<? extends PointData> points, SumData<?> sum)
            throws IOException {
        g.writeObjectFieldStart(field);
        g.writeArrayFieldStart("dataPoints");
        for (PointData p : points) {
            g.writeStartObject();
            common(g, p);
            value(g, p);
            g.writeEndObject();
        }
        g.writeEndArray();
        if (sum != null) {
            g.writeNumberField("aggregationTemporality", temporality(sum.getAggregationTemporality()));
            g.writeBooleanField("isMonotonic", sum.isMonotonic());
        }
        g.writeEndObject();
    }

    /** Attributes, times and exemplars: the fields every kind of point has. */
    private static void common(JsonGenerator g, PointData p) throws IOException {
        OtlpJsonEncoder.attributes(g, "attributes", p.getAttributes());
        g.writeStringField("startTimeUnixNano", Long.toString(p.getStartEpochNanos()));
        g.writeStringField("timeUnixNano", Long.toString(p.getEpochNanos()));
        if (!p.getExemplars().isEmpty()) {
            g.writeArrayFieldStart("exemplars");
            for (ExemplarData e : p.getExemplars()) {
                g.writeStartObject();
                OtlpJsonEncoder.attributes(g, "filteredAttributes", e.getFilteredAttributes());
                g.writeStringField("timeUnixNano", Long.toString(e.getEpochNanos()));
                if (e instanceof LongExemplarData l) {
                    g.writeStringField("asInt", Long.toString(l.getValue()));
                } else if (e instanceof DoubleExemplarData d) {
                    g.writeNumberField("asDouble", d.getValue());
                }
                if (e.getSpanContext().isValid()) {
                    g.writeStringField("spanId", e.getSpanContext().getSpanId());
                    g.writeStringField("traceId", e.getSpanContext().getTraceId());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
        }
    }

    private static void value(JsonGenerator g, PointData p) throws IOException {
        if (p instanceof LongPointData l) {
            g.writeStringField("asInt", Long.toString(l.getValue()));
        } else if (p instanceof DoublePointData d) {
            g.writeNumberField("asDouble", d.getValue());
        }
    }

    private static int temporality(AggregationTemporality t) {
        return t == AggregationTemporality.DELTA ? 1 : 2;
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        post.close();
        return CompletableResultCode.ofSuccess();
    }
}
