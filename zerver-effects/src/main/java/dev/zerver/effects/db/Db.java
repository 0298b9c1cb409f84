package dev.zerver.effects.db;

import dev.zerver.Effect;
import dev.zerver.EffectKind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Database effects, executed by {@link JdbcEffects}. Every value is bound as a parameter, never
 * concatenated into SQL; tables and columns must be plain identifiers. Mistakes fail here, when
 * the effect is built.
 *
 * <pre>{@code
 * Db.get("blog_post", id).into(POST)                                  // db.get blog_post
 * Db.query("SELECT id, title FROM blog_post ORDER BY id DESC LIMIT ?", 20).into(POSTS)
 * Db.update("UPDATE blog_post SET title = ? WHERE id = ?", title, id)
 * Db.put("author", "ana", Map.of("name", "Ana"))                      // insert or update by id
 * }</pre>
 */
public final class Db {
    private Db() {}

    /** The row of {@code table} whose {@code id} is {@code key}, as a column map; none leaves the slot empty. */
    public static Effect get(String table, Object key) {
        return get(table, "id", key);
    }

    /** The row of {@code table} whose {@code keyColumn} is {@code key}. */
    public static Effect get(String table, String keyColumn, Object key) {
        Objects.requireNonNull(key, "key");
        return effect("get", new DbRequest("GET", table, getSql(table, keyColumn), List.of(key), DbRequest.Shape.ONE_ROW));
    }

    /** Statements of {@link #get}, made and checked once per table and key column (bounded, like {@link SqlText#analysis}). */
    private static final ConcurrentHashMap<String, ConcurrentHashMap<String, String>> GET_SQL = new ConcurrentHashMap<>();

    private static String getSql(String table, String keyColumn) {
        ConcurrentHashMap<String, String> byColumn = table == null ? null : GET_SQL.get(table);
        String sql = byColumn == null || keyColumn == null ? null : byColumn.get(keyColumn);
        if (sql != null) {
            return sql;
        }
        SqlText.identifier("table", table);
        SqlText.identifier("key column", keyColumn);
        sql = "SELECT * FROM " + table + " WHERE " + keyColumn + " = ?";
        if (GET_SQL.size() < SqlText.MAX_CACHED) {
            byColumn = GET_SQL.computeIfAbsent(table, t -> new ConcurrentHashMap<>());
            if (byColumn.size() < 64) {
                String raced = byColumn.putIfAbsent(keyColumn, sql);
                return raced != null ? raced : sql;
            }
        }
        return sql;
    }

    /**
     * Inserts the row {@code id = key} with {@code columns}, or updates those columns when it
     * exists ({@code INSERT ... ON CONFLICT (id) DO UPDATE}: SQLite and PostgreSQL). The slot gets
     * the number of rows changed.
     */
    public static Effect put(String table, Object key, Map<String, ?> columns) {
        SqlText.identifier("table", table);
        Objects.requireNonNull(key, "key");
        if (columns == null || columns.isEmpty()) {
            throw new IllegalArgumentException("db.put " + table + " needs at least one column to write");
        }
        List<String> names = new ArrayList<>(columns.keySet());
        List<Object> params = new ArrayList<>();
        params.add(key);
        StringBuilder cols = new StringBuilder("id");
        StringBuilder marks = new StringBuilder("?");
        StringBuilder updates = new StringBuilder();
        for (String name : names) {
            SqlText.identifier("column", name);
            if (name.equals("id")) {
                throw new IllegalArgumentException("db.put " + table + ": the key is the id; do not repeat it as a column");
            }
            cols.append(", ").append(name);
            marks.append(", ?");
            updates.append(updates.length() == 0 ? "" : ", ").append(name).append(" = excluded.").append(name);
            params.add(columns.get(name));
        }
        String sql = "INSERT INTO " + table + " (" + cols + ") VALUES (" + marks + ") ON CONFLICT (id) DO UPDATE SET "
                + updates;
        return effect("put", new DbRequest("INSERT", table, sql, params, DbRequest.Shape.COUNT));
    }

    /** Deletes the row whose {@code id} is {@code key}; the slot gets the number of rows deleted (0 or 1). */
    public static Effect delete(String table, Object key) {
        SqlText.identifier("table", table);
        Objects.requireNonNull(key, "key");
        return effect("delete", new DbRequest("DELETE", table, "DELETE FROM " + table + " WHERE id = ?", List.of(key),
                DbRequest.Shape.COUNT));
    }

    /** A statement that returns rows ({@code SELECT}, or a write with {@code RETURNING}); the slot gets every row. */
    public static Effect query(String sql, Object... params) {
        return effect("query", statement(sql, params, DbRequest.Shape.ROWS));
    }

    /** A statement that changes rows; the slot gets how many. */
    public static Effect update(String sql, Object... params) {
        DbRequest r = statement(sql, params, DbRequest.Shape.COUNT);
        if (r.operation().equals("SELECT")) {
            throw new IllegalArgumentException("db.update runs INSERT, UPDATE or DELETE; use db.query for: " + sql);
        }
        return effect("update", r);
    }

    private static DbRequest statement(String sql, Object[] params, DbRequest.Shape shape) {
        if (sql == null || sql.isBlank()) {
            throw new IllegalArgumentException("SQL text is empty");
        }
        Object[] values = params == null ? new Object[0] : params;
        SqlText.Analysis sqlText = SqlText.analysis(sql);
        int marks = sqlText.placeholders();
        if (marks != values.length) {
            throw new IllegalArgumentException("SQL has " + marks + " placeholder(s) but " + values.length
                    + " parameter(s) were given: " + sql);
        }
        String op = sqlText.operation();
        if (!List.of("SELECT", "INSERT", "UPDATE", "DELETE").contains(op)) {
            throw new IllegalArgumentException("SQL must start with SELECT, WITH, INSERT, UPDATE or DELETE, got '"
                    + op.toLowerCase(Locale.ROOT) + "': " + sql);
        }
        return new DbRequest(op, sqlText.table(), sql, Arrays.asList(values), shape);
    }

    private static Effect effect(String operation, DbRequest request) {
        String target = request.table() != null ? request.table() : "query";
        return Effect.of(EffectKind.DB, operation, target, request);
    }
}
