package dev.zerver.config;

import dev.zerver.telemetry.Redaction;

/**
 * A configuration value that cannot be used. Its message is one line naming the variable, the
 * value and what it accepts, e.g.
 * {@code ZER_VER_EFFECT_WORKERS="abc" is not valid: expected a whole number from 1 to 1024}.
 * The value is shown as {@link Redaction#setting} prints it: never a password or a header value.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String variable;

    public ConfigException(String variable, String value, String accepts) {
        super(variable + "=\"" + Redaction.setting(variable, value) + "\" is not valid: expected " + accepts, null, false, false);
        this.variable = variable;
    }

    /** The variable (or setting) that was malformed. */
    public String variable() {
        return variable;
    }
}
