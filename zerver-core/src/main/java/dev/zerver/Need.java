package dev.zerver;

import java.util.List;
import java.util.Objects;

/**
 * A decision that asks the runtime for effects. The step's job ends; the effects run as jobs on
 * the effects queue; when the {@link Join} is decided, the step resumes as a new job: its
 * continuation function (if any) runs, then the pipeline goes on with the next step.
 *
 * <pre>{@code
 * return Need.parallel(
 *         Db.get("blog_post", id).into(POST),
 *         Http.get(commentsUrl).target("comments").into(COMMENTS).optional())
 *     .join(Join.ALL)
 *     .continueWith("parse_post", BlogSteps::parsePost);
 * }</pre>
 *
 * If the join fails, the continuation does not run: the request fails with the status of the
 * failing effect (500 for an infrastructure failure).
 */
public final class Need implements Decision {
    private final List<Effect> effects;
    private final Mode mode;
    private final Join join;
    private final String continuationName;
    private final StepFunction continuation;

    private Need(List<Effect> effects, Mode mode, Join join, String continuationName, StepFunction continuation) {
        this.effects = effects;
        this.mode = mode;
        this.join = join;
        this.continuationName = continuationName;
        this.continuation = continuation;
    }

    /** Effects run in parallel, joined with {@link Join#ALL}. */
    public static Need of(Effect... effects) {
        return parallel(effects);
    }

    /** Effects run all at once, joined with {@link Join#ALL} unless {@link #join} says otherwise. */
    public static Need parallel(Effect... effects) {
        return new Need(checked(effects), Mode.PARALLEL, Join.ALL, null, null);
    }

    /** Effects run one after another, joined with {@link Join#ALL} unless {@link #join} says otherwise. */
    public static Need sequential(Effect... effects) {
        return new Need(checked(effects), Mode.SEQUENTIAL, Join.ALL, null, null);
    }

    private static List<Effect> checked(Effect[] effects) {
        if (effects == null || effects.length == 0) {
            throw new IllegalArgumentException("a Need needs at least one effect");
        }
        return List.of(effects);
    }

    /** The same Need with another join strategy. */
    public Need join(Join strategy) {
        return new Need(effects, mode, Objects.requireNonNull(strategy, "join"), continuationName, continuation);
    }

    /**
     * The same Need with a continuation: runs when the join succeeds, with the slot access of the
     * step that returned this Need, and decides what happens next.
     *
     * @param name names the function in telemetry ({@code zerver.step.resume})
     */
    public Need continueWith(String name, StepFunction function) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a continuation needs a name");
        }
        return new Need(effects, mode, join, name, Objects.requireNonNull(function, "function"));
    }

    public List<Effect> effects() {
        return effects;
    }

    public Mode mode() {
        return mode;
    }

    public Join joinStrategy() {
        return join;
    }

    /** The continuation's name, or null. */
    public String continuationName() {
        return continuationName;
    }

    /** The continuation, or null: the pipeline then simply goes on. */
    public StepFunction continuation() {
        return continuation;
    }

    @Override
    public String label() {
        return "Need";
    }

    @Override
    public String toString() {
        return "Need(" + mode.value() + ", " + join.value() + ", " + effects + ")";
    }
}
