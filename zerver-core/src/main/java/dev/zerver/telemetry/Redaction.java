package dev.zerver.telemetry;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Keeps secrets out of telemetry: query values of sensitive keys and URL userinfo are replaced
 * by {@value #REDACTED}. Applied before anything is recorded.
 */
public final class Redaction {
    /** The replacement text, as in the OpenTelemetry semantic conventions. */
    public static final String REDACTED = "REDACTED";

    private static final Set<String> SENSITIVE_QUERY_KEYS = Set.of(
            "token", "access_token", "refresh_token", "id_token", "api_key", "apikey", "key",
            "password", "passwd", "pwd", "secret", "client_secret", "auth", "authorization",
            "session", "sessionid", "session_id", "code", "sig", "signature", "awsaccesskeyid",
            "x-amz-signature", "x-amz-credential", "x-amz-security-token", "x-goog-signature",
            "x-goog-credential");

    private Redaction() {}

    /** Whether values of this query parameter name are redacted (case-insensitive). */
    public static boolean isSensitiveQueryKey(String name) {
        return SENSITIVE_QUERY_KEYS.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * The query string (without {@code ?}) with sensitive values replaced; null stays null.
     * Keys are matched after percent-decoding is not attempted: keys are compared as written.
     */
    public static String query(String query) {
        if (query == null || query.isEmpty()) {
            return query;
        }
        StringBuilder out = new StringBuilder(query.length());
        int start = 0;
        while (start <= query.length()) {
            int amp = query.indexOf('&', start);
            int end = amp < 0 ? query.length() : amp;
            String pair = query.substring(start, end);
            int eq = pair.indexOf('=');
            if (eq > 0 && isSensitiveQueryKey(pair.substring(0, eq))) {
                out.append(pair, 0, eq + 1).append(REDACTED);
            } else {
                out.append(pair);
            }
            if (amp < 0) {
                break;
            }
            out.append('&');
            start = amp + 1;
        }
        return out.toString();
    }

    /** A full URL with userinfo and sensitive query values replaced. */
    public static String url(String url) {
        if (url == null) {
            return null;
        }
        String result = url;
        int schemeEnd = result.indexOf("://");
        if (schemeEnd >= 0) {
            int authorityStart = schemeEnd + 3;
            int authorityEnd = indexOfAny(result, "/?#", authorityStart);
            int at = result.lastIndexOf('@', authorityEnd - 1);
            if (at >= authorityStart) {
                result = result.substring(0, authorityStart) + REDACTED + ":" + REDACTED + result.substring(at);
            }
        }
        int q = result.indexOf('?');
        if (q >= 0) {
            int hash = result.indexOf('#', q);
            String query = hash < 0 ? result.substring(q + 1) : result.substring(q + 1, hash);
            String rest = hash < 0 ? "" : result.substring(hash);
            result = result.substring(0, q + 1) + query(query) + rest;
        }
        return result;
    }

    /**
     * A setting's value as it may be printed (a start-up banner, a configuration error): the whole
     * value of a setting whose name says it holds a secret (password, secret, token, key,
     * credential, headers), and in any other value that holds a URL, its userinfo and sensitive
     * query values.
     */
    public static String setting(String name, String value) {
        if (value == null) {
            return null;
        }
        String upper = name.toUpperCase(Locale.ROOT);
        for (String word : SECRET_SETTING_WORDS) {
            if (upper.contains(word)) {
                return REDACTED;
            }
        }
        return value.contains("://") || value.contains("?") ? url(value) : value;
    }

    private static final List<String> SECRET_SETTING_WORDS = List.of(
            "PASSWORD", "SECRET", "TOKEN", "CREDENTIAL", "HEADERS", "_KEY", "APIKEY");

    private static int indexOfAny(String s, String chars, int from) {
        for (int i = from; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) {
                return i;
            }
        }
        return s.length();
    }
}
