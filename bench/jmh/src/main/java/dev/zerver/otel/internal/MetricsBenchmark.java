package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.otel.ZerverOtel;
import dev.zerver.telemetry.RequestRecord;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.metrics.InstrumentType;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.export.MetricExporter;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Recording one finished request's metrics (what every request costs when metrics are on), on
 * real records of the blog: {@code exported} records with an exemplar context, the other without.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class MetricsBenchmark {
    private RequestRecord api;
    private RequestRecord page;
    private RequestMetrics metrics;

    @Setup
    public void setUp() throws Exception {
        BlogRecords records = new BlogRecords();
        api = records.api;
        page = records.page;
        ZerverOtel otel = ZerverOtel.builder().environment(Map.of(OtelSettings.TRACES_EXPORTER, "none")).build();
        metrics = new RequestMetrics(otel.settings(), otel.resource(), new MetricExporter() {
            @Override
            public AggregationTemporality getAggregationTemporality(InstrumentType type) {
                return AggregationTemporality.CUMULATIVE;
            }

            @Override
            public CompletableResultCode export(Collection<MetricData> data) {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        });
    }

    @TearDown
    public void tearDown() {
        metrics.close();
    }

    @Benchmark
    public void pageExported() {
        metrics.record(page, true);
    }

    @Benchmark
    public void pageNotExported() {
        metrics.record(page, false);
    }

    @Benchmark
    public void apiNotExported() {
        metrics.record(api, false);
    }
}
