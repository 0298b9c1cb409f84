package dev.zerver.effects.http;

import dev.zerver.Effect;
import dev.zerver.EffectKind;
import java.util.Locale;

/**
 * Outgoing HTTP effects, executed by {@link HttpEffects} on the JDK's asynchronous client. While
 * the response is awaited the job is parked ({@code io_wait}) and holds no worker. The request
 * carries a W3C {@code traceparent} naming the effect's own span.
 *
 * <pre>{@code
 * Http.get("http://127.0.0.1:8080/blogs/api/posts/7/comments", "comments").into(COMMENTS)
 * Http.request(HttpCall.of("POST", url).target("mailer").header("content-type", "application/json").body(json))
 * }</pre>
 */
public final class Http {
    private Http() {}

    public static Effect get(String url) {
        return request(HttpCall.of("GET", url));
    }

    /** A GET recorded, limited and rate-limited under the target name {@code target}. */
    public static Effect get(String url, String target) {
        return request(HttpCall.of("GET", url).target(target));
    }

    public static Effect head(String url) {
        return request(HttpCall.of("HEAD", url));
    }

    public static Effect delete(String url) {
        return request(HttpCall.of("DELETE", url));
    }

    public static Effect post(String url, String contentType, byte[] body) {
        return request(HttpCall.of("POST", url).header("content-type", contentType).body(body));
    }

    public static Effect put(String url, String contentType, byte[] body) {
        return request(HttpCall.of("PUT", url).header("content-type", contentType).body(body));
    }

    public static Effect patch(String url, String contentType, byte[] body) {
        return request(HttpCall.of("PATCH", url).header("content-type", contentType).body(body));
    }

    /** Any call; the effect is {@code http.{method} {target}}. */
    public static Effect request(HttpCall call) {
        return Effect.of(EffectKind.HTTP, call.method().toLowerCase(Locale.ROOT), call.target(), call);
    }
}
