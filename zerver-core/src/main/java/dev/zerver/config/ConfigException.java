package dev.zerver.config;

/**
 * A configuration value that cannot be used. Its message is one line naming the variable, the
 * value and what it accepts, e.g.
 * {@code ZER_VER_EFFECT_WORKERS="abc" is not valid: expected a whole number from 1 to 1024}.
 */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String variable;

    public ConfigException(String variable, String value, String accepts) {
        super(variable + "=\"" + value + "\" is not valid: expected " + accepts, null, false, false);
        this.variable = variable;
    }

    /** The variable (or setting) that was malformed. */
    public String variable() {
        return variable;
    }
}
