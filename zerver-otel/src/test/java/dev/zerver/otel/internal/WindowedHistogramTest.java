package dev.zerver.otel.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WindowedHistogramTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long WINDOW = TimeUnit.SECONDS.toNanos(60);

    @Test
    void bucketsAreContiguousAndNoWiderThanAnEighth() {
        long previousUpper = 0;
        for (int b = 0; b < WindowedHistogram.BUCKETS; b++) {
            long upper = WindowedHistogram.upperEdgeNanos(b);
            assertThat(upper).isGreaterThan(previousUpper);
            if (b >= 8) {
                assertThat((double) (upper - previousUpper) / previousUpper).as("bucket %d", b).isLessThanOrEqualTo(0.125);
            }
            // the lowest and highest value of the bucket land in it
            assertThat(WindowedHistogram.bucket(previousUpper)).isEqualTo(b);
            assertThat(WindowedHistogram.bucket(upper - 1000)).isEqualTo(b);
            previousUpper = upper;
        }
    }

    @Test
    void percentilesNeed100SamplesAndComeWithinABucketOfTheTruth() {
        WindowedHistogram h = new WindowedHistogram(WINDOW);
        for (int i = 1; i <= 99; i++) {
            h.record(i * MS, 0);
        }
        assertThat(h.read(0).p99Nanos()).isEqualTo(-1);
        h.record(100 * MS, 0);
        WindowedHistogram.Snapshot s = h.read(0);
        assertThat(s.samples()).isEqualTo(100);
        assertThat(s.p95Nanos()).isBetween(95 * MS, (long) (95 * MS * 1.125));
        assertThat(s.p99Nanos()).isBetween(99 * MS, (long) (99 * MS * 1.125));
    }

    @Test
    void oldSlotsLeaveTheWindowAndReadsAreCachedForASecond() {
        WindowedHistogram h = new WindowedHistogram(WINDOW);
        for (int i = 0; i < 200; i++) {
            h.record(50 * MS, 0);
        }
        long p95 = h.read(0).p95Nanos();
        assertThat(p95).isGreaterThanOrEqualTo(50 * MS);
        for (int i = 0; i < 10_000; i++) {
            h.record(1 * MS, 500 * MS);
        }
        assertThat(h.read(500 * MS).p95Nanos()).as("within the refresh second: the cached value").isEqualTo(p95);
        assertThat(h.read(2000 * MS).p95Nanos()).as("refreshed: 98% are 1 ms now").isLessThan(2 * MS);
        assertThat(h.read(WINDOW + 20_000 * MS).samples()).as("a window later, all gone").isZero();
    }
}
