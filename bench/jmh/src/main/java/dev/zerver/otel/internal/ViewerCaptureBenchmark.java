package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.otel.ZerverOtel;
import dev.zerver.otel.viewer.ViewerSettings;
import dev.zerver.telemetry.RequestRecord;
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
 * What the trace viewer adds to every finished request: {@code ZerverOtel.onRequestFinished} with
 * tracing export off, with and without the viewer capturing (its route windows and the capture
 * ring, full, so that every add also evicts), on the blog's real post-page record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ViewerCaptureBenchmark {
    private RequestRecord page;
    private ZerverOtel off;
    private ZerverOtel viewer;

    @Setup
    public void setUp() throws Exception {
        page = new BlogRecords().page;
        off = ZerverOtel.builder().environment(Map.of(OtelSettings.TRACES_EXPORTER, "none")).build();
        viewer = ZerverOtel.builder().environment(Map.of(OtelSettings.TRACES_EXPORTER, "none",
                ViewerSettings.PORT, "0")).build();
    }

    @TearDown
    public void tearDown() {
        off.close();
        viewer.close();
    }

    @Benchmark
    public void viewerOff() {
        off.onRequestFinished(page);
    }

    @Benchmark
    public void viewerCapturing() {
        viewer.onRequestFinished(page);
    }
}
