package dev.zerver.otel.internal;

import java.util.concurrent.ThreadLocalRandom;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Route percentiles on the hot path: reading a route's p99 (what every finished request does when
 * a threshold or tail trigger is a percentile) and recording one sample.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RoutePercentileBenchmark {
    private final WindowedHistogram histogram = new WindowedHistogram(TimeUnit.SECONDS.toNanos(60));
    private long now;

    @Setup
    public void fill() {
        for (int i = 0; i < 100_000; i++) {
            histogram.record(ThreadLocalRandom.current().nextLong(50_000, 20_000_000), 0);
        }
        now = 1;
        histogram.read(now);
    }

    /** A read within the refresh second: the cached snapshot. */
    @Benchmark
    public long readP99() {
        return histogram.read(now).p99Nanos();
    }

    @Benchmark
    public void record() {
        histogram.record(1_234_567, now);
    }
}
