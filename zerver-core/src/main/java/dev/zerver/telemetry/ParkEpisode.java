package dev.zerver.telemetry;

/**
 * One stretch during which a job waited: from park to resume. A limit that does not apply is
 * {@code -1}; an episode still open when its job ended has no resume time ({@code -1}) and counts
 * up to the job's end.
 */
public final class ParkEpisode {
    private final ParkCause cause;
    private final String token;
    private final long limitCurrent;
    private final long limitMax;
    private final long parkNanos;
    private final long resumeNanos;

    /** An open episode: the job has not resumed yet. */
    public ParkEpisode(ParkCause cause, String token, long limitCurrent, long limitMax, long parkNanos) {
        this(cause, token, limitCurrent, limitMax, parkNanos, -1);
    }

    private ParkEpisode(ParkCause cause, String token, long limitCurrent, long limitMax, long parkNanos,
            long resumeNanos) {
        this.cause = cause;
        this.token = token;
        this.limitCurrent = limitCurrent;
        this.limitMax = limitMax;
        this.parkNanos = parkNanos;
        this.resumeNanos = resumeNanos;
    }

    /** This episode closed at {@code nanos}. */
    public ParkEpisode resumedAt(long nanos) {
        return new ParkEpisode(cause, token, limitCurrent, limitMax, parkNanos, nanos);
    }

    public ParkCause cause() {
        return cause;
    }

    /** What the job waited on, e.g. {@code db_pool}; never null. */
    public String token() {
        return token;
    }

    /** In use when the job parked ({@code concurrency.limit.current}), or -1. */
    public long limitCurrent() {
        return limitCurrent;
    }

    /** The limit's maximum ({@code concurrency.limit.max}), or -1. */
    public long limitMax() {
        return limitMax;
    }

    public long parkNanos() {
        return parkNanos;
    }

    /** When the job resumed, or -1 if it ended while parked. */
    public long resumeNanos() {
        return resumeNanos;
    }

    public boolean resumed() {
        return resumeNanos >= 0;
    }

    @Override
    public String toString() {
        return "park(" + cause.value() + ", " + token + ", " + parkNanos + ".." + resumeNanos + ")";
    }
}
