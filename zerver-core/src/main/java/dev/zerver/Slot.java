package dev.zerver;

import java.util.Objects;

/**
 * A typed key for a value that steps and effects share within one request.
 *
 * <pre>{@code
 * static final Slot<Post> POST = Slot.of("post", Post.class);
 * }</pre>
 *
 * Two slots are the same slot when their names are equal. An effect's result is converted to
 * the slot's type: {@code byte[]} and {@code String} directly, anything else from JSON.
 *
 * @param <T> the value's type
 */
public final class Slot<T> {
    private final String name;
    private final Class<T> type;

    private Slot(String name, Class<T> type) {
        this.name = name;
        this.type = type;
    }

    /**
     * A slot named {@code name} holding values of {@code type}.
     *
     * @throws IllegalArgumentException if the name is blank or contains characters other than
     *     letters, digits, {@code _ . -}
     */
    public static <T> Slot<T> of(String name, Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (name == null || name.isBlank() || !name.matches("[A-Za-z0-9_.\\-]+")) {
            throw new IllegalArgumentException("slot name must be letters, digits, '_', '.' or '-': '" + name + "'");
        }
        return new Slot<>(name, type);
    }

    public String name() {
        return name;
    }

    public Class<T> type() {
        return type;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Slot<?> other && other.name.equals(name);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    @Override
    public String toString() {
        return "slot '" + name + "'";
    }
}
