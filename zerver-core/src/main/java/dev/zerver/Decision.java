package dev.zerver;

import java.util.Objects;

/**
 * What a step says happens next: {@link Continue} to the next step, a {@link Need} of effects,
 * {@link Done} with a response, or {@link Fail}.
 */
public sealed interface Decision permits Decision.Continue, Need, Decision.Done, Decision.Fail {

    /** Go on with the next step. */
    static Decision next() {
        return Continue.INSTANCE;
    }

    /** Answer now with this response. */
    static Decision done(Response response) {
        return new Done(response);
    }

    /**
     * An application failure: answered with {@code status} through the error renderer.
     *
     * @param what what failed, e.g. {@code post}
     * @param key a stable machine-readable reason, e.g. {@code not_found}
     */
    static Decision fail(int status, String what, String key) {
        return new Fail(status, what, key);
    }

    /** The name used in telemetry: {@code Continue|Need|Done|Fail}. */
    String label();

    /** Go on with the next step. */
    final class Continue implements Decision {
        static final Continue INSTANCE = new Continue();

        private Continue() {}

        @Override
        public String label() {
            return "Continue";
        }

        @Override
        public String toString() {
            return "Continue";
        }
    }

    /** Answer with this response. */
    record Done(Response response) implements Decision {
        public Done {
            Objects.requireNonNull(response, "response");
        }

        @Override
        public String label() {
            return "Done";
        }
    }

    /**
     * A failure answered with {@code status}. Application failures come from steps; the runtime
     * also uses it for failed joins and for steps that threw.
     */
    record Fail(int status, String what, String key) implements Decision {
        public Fail {
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("a Fail status must be 4xx or 5xx, got " + status);
            }
            Objects.requireNonNull(what, "what");
            Objects.requireNonNull(key, "key");
        }

        @Override
        public String label() {
            return "Fail";
        }
    }
}
