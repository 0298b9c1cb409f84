package dev.zerver.otel;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The sampling policy of {@code ZER_VER_SAMPLER}: a head ratio decided at the root (a sampled
 * remote parent is honoured) and tail triggers that keep a trace the head dropped.
 *
 * <p>Grammar: comma-separated clauses {@code head:R} (R from 0 to 1) and
 * {@code tail:T1|T2...} with T one of {@code error}, {@code promoted}, {@code p95}, {@code p99},
 * {@code queue}, {@code park}, e.g. {@code head:0.02,tail:error|promoted}.
 *
 * <p>The standard {@code OTEL_TRACES_SAMPLER} values map onto it: {@code always_on} is
 * {@code head:1}, {@code always_off} {@code head:0}, {@code traceidratio} {@code head:R} that
 * ignores the parent's decision, and the {@code parentbased_*} forms the same heads honouring it.
 *
 * @param headRatio the head ratio, 0 to 1
 * @param tail the tail triggers
 * @param parentBased whether a remote parent's decision (sampled or not) is followed instead of the ratio
 */
public record SamplerSpec(double headRatio, Set<TailTrigger> tail, boolean parentBased) {
    /** Keep everything: {@code head:1}. */
    public static final SamplerSpec ALWAYS = new SamplerSpec(1.0, Set.of());

    /** A parent-based spec (what {@code ZER_VER_SAMPLER} describes). */
    public SamplerSpec(double headRatio, Set<TailTrigger> tail) {
        this(headRatio, tail, true);
    }

    /** What keeps a head-dropped trace. */
    public enum TailTrigger {
        /** Status >= 500 or a required effect failed. */
        ERROR,
        /** Some job had a queue wait or park promoted. */
        PROMOTED,
        /** Request duration >= the route's p95. */
        P95,
        /** Request duration >= the route's p99. */
        P99,
        /** Some job's queue wait >= the route's p95 of it. */
        QUEUE,
        /** Some job's park total >= the route's p95 of it. */
        PARK;

        /** The name used in the grammar and in {@code zerver.sampling.reason}. */
        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Whether the trigger compares with route percentiles. */
        public boolean needsPercentiles() {
            return this != ERROR && this != PROMOTED;
        }
    }

    public SamplerSpec {
        if (!(headRatio >= 0 && headRatio <= 1)) {
            throw new IllegalArgumentException("the head ratio must be from 0 to 1");
        }
        tail = Collections.unmodifiableSet(tail.isEmpty() ? EnumSet.noneOf(TailTrigger.class) : EnumSet.copyOf(tail));
    }

    /** Parses the grammar; throws IllegalArgumentException naming what is wrong. */
    public static SamplerSpec parse(String text) {
        double head = 1.0;
        Set<TailTrigger> triggers = EnumSet.noneOf(TailTrigger.class);
        boolean sawHead = false;
        for (String clause : text.split(",", -1)) {
            String c = clause.trim().toLowerCase(Locale.ROOT);
            if (c.startsWith("head:") && !sawHead) {
                head = Double.parseDouble(c.substring(5));
                sawHead = true;
            } else if (c.startsWith("tail:")) {
                for (String t : c.substring(5).split("\\|", -1)) {
                    triggers.add(TailTrigger.valueOf(t.trim().toUpperCase(Locale.ROOT)));
                }
            } else {
                throw new IllegalArgumentException("unknown clause: " + clause);
            }
        }
        return new SamplerSpec(head, triggers);
    }

    /**
     * The spec the standard {@code OTEL_TRACES_SAMPLER} / {@code OTEL_TRACES_SAMPLER_ARG} pair
     * means; throws IllegalArgumentException for a sampler Zerver does not provide.
     */
    public static SamplerSpec fromOtel(String sampler, double ratio) {
        String name = sampler.trim().toLowerCase(Locale.ROOT);
        boolean parentBased = name.startsWith("parentbased_");
        switch (parentBased ? name.substring("parentbased_".length()) : name) {
            case "always_on":
                return new SamplerSpec(1.0, Set.of(), parentBased);
            case "always_off":
                return new SamplerSpec(0.0, Set.of(), parentBased);
            case "traceidratio":
                return new SamplerSpec(ratio, Set.of(), parentBased);
            default:
                throw new IllegalArgumentException("unsupported sampler " + sampler);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("head:").append(headRatio == Math.rint(headRatio) ? String.valueOf((long) headRatio) : String.valueOf(headRatio));
        if (!tail.isEmpty()) {
            s.append(",tail:");
            String sep = "";
            for (TailTrigger t : tail) {
                s.append(sep).append(t.value());
                sep = "|";
            }
        }
        if (!parentBased) {
            s.append(" (parent's decision ignored)");
        }
        return s.toString();
    }
}
