package dev.zerver;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A named unit of business logic with declared slot reads and writes.
 *
 * <pre>{@code
 * Step load = Step.named("load_post").reads(POST_ID).writes(POST)
 *     .run(ctx -> Need.of(Db.get("blog_post", ctx.require(POST_ID)).into(POST)));
 * }</pre>
 *
 * A step may only read slots it declares in {@link Builder#reads} (or {@link Builder#writes}) and
 * only write slots it declares in {@link Builder#writes}; effects of its Need count as its writes.
 * Start-up rejects a route in which a step reads a slot no earlier step writes.
 */
public final class Step {
    private final String name;
    private final List<Slot<?>> reads;
    private final List<Slot<?>> writes;
    private final StepFunction function;
    /** The slot names, made once: every run of the step records the same two lists. */
    private final List<String> readNames;
    private final List<String> writeNames;

    private Step(String name, List<Slot<?>> reads, List<Slot<?>> writes, StepFunction function) {
        this.name = name;
        this.reads = reads;
        this.writes = writes;
        this.function = function;
        // List.copyOf: Stream.toList() allows nulls, so List.copyOf in each run's record would copy it;
        // the same list object on every run lets encoders cache its encoding by identity.
        this.readNames = List.copyOf(reads.stream().map(Slot::name).toList());
        this.writeNames = List.copyOf(writes.stream().map(Slot::name).toList());
    }

    /**
     * Starts a step definition.
     *
     * @param name lowercase words joined by {@code _} are the convention; it names the span
     *     {@code step.{name}}
     */
    public static Builder named(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.\\-]+")) {
            throw new IllegalArgumentException("step name must be letters, digits, '_', '.' or '-': '" + name + "'");
        }
        return new Builder(name);
    }

    public String name() {
        return name;
    }

    public List<Slot<?>> reads() {
        return reads;
    }

    public List<Slot<?>> writes() {
        return writes;
    }

    /** The names of the slots it reads ({@code zerver.step.reads}), one unmodifiable list for every run. */
    public List<String> readNames() {
        return readNames;
    }

    /** The names of the slots it writes ({@code zerver.step.writes}), one unmodifiable list for every run. */
    public List<String> writeNames() {
        return writeNames;
    }

    public StepFunction function() {
        return function;
    }

    /** Whether the step may read the slot: declared as a read or a write. */
    public boolean mayRead(Slot<?> slot) {
        return reads.contains(slot) || writes.contains(slot);
    }

    public boolean mayWrite(Slot<?> slot) {
        return writes.contains(slot);
    }

    @Override
    public String toString() {
        return "step '" + name + "'";
    }

    /** Declares a step's slots, then its function. */
    public static final class Builder {
        private final String name;
        private final Set<Slot<?>> reads = new LinkedHashSet<>();
        private final Set<Slot<?>> writes = new LinkedHashSet<>();

        private Builder(String name) {
            this.name = name;
        }

        /** Slots this step reads; they must be written by an earlier step. */
        public Builder reads(Slot<?>... slots) {
            for (Slot<?> s : slots) {
                reads.add(Objects.requireNonNull(s, "slot"));
            }
            return this;
        }

        /** Slots this step or the effects of its Need write. */
        public Builder writes(Slot<?>... slots) {
            for (Slot<?> s : slots) {
                writes.add(Objects.requireNonNull(s, "slot"));
            }
            return this;
        }

        /** Finishes the step with its function. */
        public Step run(StepFunction function) {
            return new Step(name, List.copyOf(reads), List.copyOf(writes), Objects.requireNonNull(function, "function"));
        }
    }
}
