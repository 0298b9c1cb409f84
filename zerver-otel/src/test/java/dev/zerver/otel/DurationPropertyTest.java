package dev.zerver.otel;

import dev.zerver.internal.record.MutableEffectRecord;
import dev.zerver.internal.record.MutableJobRecord;
import dev.zerver.internal.record.MutableRequestRecord;
import static org.assertj.core.api.Assertions.assertThat;

import dev.zerver.telemetry.JobOutcome;
import dev.zerver.telemetry.JobType;
import dev.zerver.telemetry.ParkCause;
import dev.zerver.telemetry.ParkEpisode;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * For random job lifecycles, the exported {@code job.*} durations equal the differences of the
 * exported event timestamps, and they add up to end - enqueue (contract section 1).
 */
class DurationPropertyTest {
    private static final long EPOCH = 1_750_000_000_000_000_000L;

    @Test
    void withAllEventsExportedDurationsAreTheDifferencesOfExportedEvents() {
        check(true);
    }

    /** Compact: no enqueued/taken/started/completed events, and the span's own interval says the same. */
    @Test
    void compactSpansKeepEveryDurationFromTheirIntervalAndParkEvents() {
        check(false);
    }

    private static void check(boolean all) {
        ZerverOtel otel = ZerverOtel.builder().environment(Map.of(OtelSettings.TRACES_EXPORTER, "none",
                OtelSettings.JOB_EVENTS, all ? "all" : "compact")).build();
        Random random = new Random(20261127);
        for (int trial = 0; trial < 2_000; trial++) {
            SpanData span = effectSpan(otel, randomJob(random));
            Map<String, Long> first = new java.util.HashMap<>();
            long parked = 0;
            long parkStart = -1;
            int parks = 0;
            long end = -1;
            for (EventData e : span.getEvents()) {
                long t = e.getEpochNanos();
                switch (e.getName()) {
                    case "zerver.job.parked":
                        parkStart = t;
                        parks++;
                        break;
                    case "zerver.job.resumed":
                        parked += t - parkStart;
                        parkStart = -1;
                        break;
                    case "zerver.job.completed":
                    case "zerver.job.failed":
                    case "zerver.job.cancelled":
                        end = t;
                        break;
                    default:
                        first.putIfAbsent(e.getName(), t);
                }
            }
            if (parkStart >= 0 && end >= 0) {
                parked += end - parkStart; // ended while parked
            }
            String where = "trial " + trial + ": " + span.getEvents();
            if (!all) {
                assertThat(first.keySet()).as(where).doesNotContain("zerver.job.enqueued", "zerver.job.taken",
                        "zerver.job.started").allMatch(n -> !n.equals("zerver.job.completed"));
                if (end < 0) { // completed: the span ends when the job did
                    end = span.getEndEpochNanos();
                    if (parkStart >= 0) {
                        parked += end - parkStart;
                    }
                }
                long enqueued = span.getStartEpochNanos();
                assertThat(nanos(span, "job.park_wait_ms_total")).as(where).isEqualTo(parked);
                assertThat(nanos(span, "job.queue_wait_ms") + nanos(span, "job.dispatch_ms")
                        + nanos(span, "job.park_wait_ms_total") + nanos(span, "job.run_active_ms"))
                        .as(where).isEqualTo(end - enqueued);
                assertThat(span.getAttributes().get(AttributeKey.longKey("job.park_count"))).isEqualTo(parks);
                continue;
            }
            long enqueued = first.get("zerver.job.enqueued");
            long taken = first.getOrDefault("zerver.job.taken", end);
            long started = first.getOrDefault("zerver.job.started", end);

            assertThat(nanos(span, "job.queue_wait_ms")).as(where).isEqualTo(taken - enqueued);
            assertThat(nanos(span, "job.dispatch_ms")).as(where).isEqualTo(started - taken);
            assertThat(nanos(span, "job.park_wait_ms_total")).as(where).isEqualTo(parked);
            assertThat(nanos(span, "job.run_active_ms")).as(where).isEqualTo(end - started - parked);
            assertThat(span.getAttributes().get(AttributeKey.longKey("job.park_count"))).isEqualTo(parks);
            assertThat(nanos(span, "job.queue_wait_ms") + nanos(span, "job.dispatch_ms")
                    + nanos(span, "job.park_wait_ms_total") + nanos(span, "job.run_active_ms"))
                    .as(where).isEqualTo(end - enqueued);
            assertThat(List.of(nanos(span, "job.queue_wait_ms"), nanos(span, "job.dispatch_ms"),
                    nanos(span, "job.park_wait_ms_total"), nanos(span, "job.run_active_ms"))).allMatch(n -> n >= 0);
        }
    }

    /** A lifecycle with random gaps; some jobs are cancelled in the queue, some end while parked. */
    private static MutableJobRecord randomJob(Random random) {
        MutableJobRecord job = new MutableJobRecord(1, JobType.EFFECT, "effects", MutableJobRecord.Owner.EFFECT, 1);
        long t = random.nextInt(1_000_000);
        job.enqueued(t, random.nextInt(10));
        int shape = random.nextInt(10);
        if (shape == 0) { // cancelled before a worker took it
            t += random.nextInt(50_000_000);
            job.cancelledBecause("deadline");
            job.ended(t, JobOutcome.CANCEL);
            return job;
        }
        t += random.nextInt(50_000_000);
        job.taken(t, random.nextInt(4), random.nextInt(10));
        t += random.nextInt(100_000);
        job.started(t);
        job.attempt(1);
        int parks = random.nextInt(5);
        for (int i = 0; i < parks; i++) {
            t += random.nextInt(3_000_000);
            job.parked(new ParkEpisode(ParkCause.values()[random.nextInt(ParkCause.values().length)], "token",
                    -1, -1, t));
            boolean endsParked = i == parks - 1 && shape == 1;
            if (!endsParked) {
                t += random.nextInt(20_000_000);
                job.resumed(t);
            }
        }
        t += random.nextInt(5_000_000);
        if (shape == 2) {
            job.failedWith("io_error", "boom");
            job.ended(t, JobOutcome.FAIL);
        } else {
            job.ended(t, JobOutcome.COMPLETE);
        }
        return job;
    }

    private static SpanData effectSpan(ZerverOtel otel, MutableJobRecord job) {
        MutableRequestRecord r = MutableRequestRecord.builder()
                .ids("req", "0af7651916cd43dd8448eb211c80319c", null, false)
                .clock(0, EPOCH)
                .request("GET", "http", "/x", null, "1.1")
                .build();
        MutableEffectRecord e = new MutableEffectRecord(1, 1, 0, "db", "get", "posts", true, 0, null);
        e.job(job.id());
        e.spanId("b7ad6b7169203331");
        if (job.outcome() == JobOutcome.COMPLETE) {
            e.succeeded();
        }
        r.add(e);
        r.add(job);
        r.responded(job.endNanos(), 200, 0);
        return otel.spansOf(r).stream().filter(s -> s.getKind() == SpanKind.CLIENT).findFirst().orElseThrow();
    }

    private static long nanos(SpanData span, String key) {
        Double ms = span.getAttributes().get(AttributeKey.doubleKey(key));
        assertThat(ms).as(key).isNotNull();
        return Math.round(ms * 1_000_000.0);
    }
}
