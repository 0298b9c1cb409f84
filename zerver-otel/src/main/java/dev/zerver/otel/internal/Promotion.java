package dev.zerver.otel.internal;

import dev.zerver.otel.OtelSettings;
import dev.zerver.telemetry.JobDurations;
import dev.zerver.telemetry.JobRecord;
import dev.zerver.telemetry.ParkEpisode;
import dev.zerver.telemetry.RequestRecord;

/**
 * Contract section 5, in one place: which queue waits and park episodes become spans. Used by
 * the assembler to build them and by the sampler's {@code promoted} trigger to ask, without
 * building anything, whether a request has any.
 */
public final class Promotion {
    private final OtelSettings settings;

    public Promotion(OtelSettings settings) {
        this.settings = settings;
    }

    /** Whether the job's wait in its queue becomes a {@code job.queue_wait} span. */
    public boolean queueWait(JobRecord job, JobDurations durations, Limits limits) {
        return job.enqueueNanos() >= 0
                && (settings.debugJobs() || limits.reaches(durations.queueWait(), limits.promoteQueueNanos()));
    }

    /** Whether the episode becomes a {@code job.park({cause})} span. */
    public boolean park(JobRecord job, ParkEpisode episode, Limits limits) {
        return settings.debugJobs()
                || limits.reaches(length(job, episode), limits.promoteParkNanos());
    }

    /** How long the episode lasted: to its resume, or to the job's end if it never resumed. */
    static long length(JobRecord job, ParkEpisode episode) {
        return Math.max(0, end(job, episode) - episode.parkNanos());
    }

    /** When the episode ended: its resume, or the job's end if it never resumed. */
    static long end(JobRecord job, ParkEpisode episode) {
        return episode.resumed() ? episode.resumeNanos() : job.endNanos();
    }

    /** How many promoted spans the request's ended jobs yield. */
    public int count(RequestRecord request, Limits limits) {
        int n = 0;
        for (JobRecord job : request.jobs()) {
            if (job.endNanos() < 0) {
                continue;
            }
            if (queueWait(job, job.durations(), limits)) {
                n++;
            }
            for (ParkEpisode p : job.parks()) {
                if (park(job, p, limits)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** Whether any ended job of the request has a promoted queue wait or park. */
    public boolean any(RequestRecord request, Limits limits) {
        for (JobRecord job : request.jobs()) {
            if (job.endNanos() < 0) {
                continue;
            }
            if (queueWait(job, job.durations(), limits)) {
                return true;
            }
            for (ParkEpisode p : job.parks()) {
                if (park(job, p, limits)) {
                    return true;
                }
            }
        }
        return false;
    }
}
