package dev.zerver.otel.internal;

import dev.zerver.telemetry.ParkCause;

/** {@code job.park({cause})} for every cause, made once. */
final class ParkSpanNames {
    private static final String[] NAMES = new String[ParkCause.values().length];

    static {
        for (ParkCause c : ParkCause.values()) {
            NAMES[c.ordinal()] = "job.park(" + c.value() + ")";
        }
    }

    private ParkSpanNames() {}

    static String of(ParkCause cause) {
        return NAMES[cause.ordinal()];
    }
}
