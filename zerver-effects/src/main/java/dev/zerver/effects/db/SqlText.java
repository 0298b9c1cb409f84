package dev.zerver.effects.db;

import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads what telemetry needs from SQL text: its operation, its table, its placeholders, a sanitized copy. */
final class SqlText {
    private static final Pattern TABLE = Pattern.compile(
            "(?i)\\b(?:from|into|update|join)\\s+\"?([A-Za-z_][A-Za-z0-9_]*)\"?");
    private static final Pattern STRING_LITERAL = Pattern.compile("'(?:[^']|'')*'");
    private static final Pattern NUMBER_LITERAL = Pattern.compile("(?<![A-Za-z0-9_$.])-?\\d+(?:\\.\\d+)?(?![A-Za-z0-9_])");

    /**
     * What telemetry reads from a statement, by SQL text: statements are mostly constants of the
     * application, so each is analysed once. Bounded: past {@link #MAX_CACHED} texts (SQL built
     * per call), statements are analysed every time instead.
     */
    record Analysis(String operation, String table, int placeholders, String sanitized) {}

    static final int MAX_CACHED = 1024;
    private static final ConcurrentHashMap<String, Analysis> CACHE = new ConcurrentHashMap<>();

    private SqlText() {}

    /** The statement's operation, table, placeholder count and sanitized text, cached per text. */
    static Analysis analysis(String sql) {
        Analysis a = CACHE.get(sql);
        if (a == null) {
            a = new Analysis(operation(sql), table(sql), placeholders(sql), sanitized(sql));
            if (CACHE.size() < MAX_CACHED) {
                CACHE.putIfAbsent(sql, a);
            }
        }
        return a;
    }

    static String identifier(String what, String name) {
        if (!isIdentifier(name)) {
            throw new IllegalArgumentException(what + " must be a plain SQL identifier (letters, digits, _), got '"
                    + name + "'");
        }
        return name;
    }

    /** {@code [A-Za-z_][A-Za-z0-9_]{0,62}}, checked without a regular expression: effects are made per request. */
    private static boolean isIdentifier(String name) {
        if (name == null || name.isEmpty() || name.length() > 63) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean letter = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                return false;
            }
        }
        return true;
    }

    /** The statement's leading keyword as {@code db.operation.name}; {@code WITH ...} counts as SELECT. */
    static String operation(String sql) {
        String trimmed = sql.stripLeading();
        int end = 0;
        while (end < trimmed.length() && Character.isLetter(trimmed.charAt(end))) {
            end++;
        }
        String word = trimmed.substring(0, end).toUpperCase(Locale.ROOT);
        return word.equals("WITH") ? "SELECT" : word;
    }

    /** The first table the statement names, or null. */
    static String table(String sql) {
        Matcher m = TABLE.matcher(STRING_LITERAL.matcher(sql).replaceAll("?"));
        return m.find() ? m.group(1) : null;
    }

    /** Placeholders outside string literals and quoted identifiers. */
    static int placeholders(String sql) {
        int n = 0;
        char quote = 0;
        for (int i = 0; i < sql.length(); i++) {
            char c = sql.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '?') {
                n++;
            }
        }
        return n;
    }

    /**
     * The text for {@code db.query.text}: literals a careless caller wrote into the SQL are replaced
     * by {@code ?}, so that no value reaches telemetry even then.
     */
    static String sanitized(String sql) {
        String s = STRING_LITERAL.matcher(sql).replaceAll("?");
        s = NUMBER_LITERAL.matcher(s).replaceAll("?");
        return s.strip().replaceAll("\\s+", " ");
    }
}
