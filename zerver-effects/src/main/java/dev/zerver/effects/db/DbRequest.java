package dev.zerver.effects.db;

import java.util.List;

/**
 * One database operation, as built by {@link Db}: the parameterized SQL and its bound parameters.
 * Immutable; parameters are never spliced into the text.
 *
 * @param operation {@code db.operation.name}: {@code GET}, {@code SELECT}, {@code INSERT},
 *     {@code UPDATE} or {@code DELETE}
 * @param table {@code db.collection.name}, or null when the SQL names none
 * @param sql the statement with {@code ?} placeholders
 * @param params the values bound to the placeholders, in order
 * @param shape what the result is: one row, all rows, or the number of rows changed
 */
public record DbRequest(String operation, String table, String sql, List<Object> params, Shape shape) {
    /** What a successful operation puts into the effect's slot. */
    public enum Shape {
        /** The first row as a column-to-value map; no row leaves the slot empty. */
        ONE_ROW,
        /** Every row, as a list of column-to-value maps. */
        ROWS,
        /** The number of rows changed. */
        COUNT
    }

    public DbRequest {
        params = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(params));
    }

    /** Whether the statement writes (takes SQLite's single writer lock). */
    public boolean isWrite() {
        return shape == Shape.COUNT || "INSERT".equals(operation) || "UPDATE".equals(operation)
                || "DELETE".equals(operation);
    }
}
