package dev.zerver;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a step sees of its request: the HTTP request, the matched route's parameters and the
 * request's typed slots. One per request; it is handed from job to job, never shared between
 * requests.
 *
 * <p>Slot access is checked against the running step's declarations: reading a slot the step
 * did not declare, or writing one it does not declare in {@code writes}, throws
 * {@link IllegalStateException} (a system failure, so it shows at once in tests).
 */
public interface Ctx {
    /** The request method as sent, e.g. {@code GET}. */
    String method();

    /** The path as sent (still percent-encoded), without the query, e.g. {@code /blogs/posts/42}. */
    String path();

    /** The matched route template, e.g. {@code /blogs/posts/{id}}, or null before matching. */
    String route();

    /** A path parameter of the matched route ({@code {*rest}} included), or null if the route has none by that name. */
    String param(String name);

    /** All path parameters of the matched route. */
    Map<String, String> params();

    /** The first value of a query parameter, or null. */
    String query(String name);

    /** All query parameters, decoded, in order. */
    Map<String, List<String>> queryParams();

    /** The first value of a header (name case-insensitive), or null. */
    String header(String name);

    /** All values of a header (name case-insensitive). */
    List<String> headers(String name);

    /** The request body; empty when there is none. Do not modify the array. */
    byte[] body();

    /** The body decoded as UTF-8. */
    String bodyText();

    /**
     * The body decoded from JSON.
     *
     * @throws FailException 400 {@code body/invalid_json} when it is not valid JSON of that shape
     */
    <T> T bodyJson(Class<T> type);

    String clientAddress();

    int clientPort();

    /** From the incoming {@code traceparent}'s trace id, else {@code x-request-id}, else generated. */
    String requestId();

    /** Puts a value into a slot the running step declares in {@code writes}. */
    <T> void put(Slot<T> slot, T value);

    /**
     * The slot's value.
     *
     * @throws IllegalStateException if the slot is empty or not declared by the running step
     */
    <T> T require(Slot<T> slot);

    /** The slot's value, or empty (an optional effect that failed leaves its slot empty). */
    <T> Optional<T> optional(Slot<T> slot);

    /** Associates the request with a session; exported as {@code session.id}. */
    void sessionId(String id);

    /**
     * Records that the running step rendered output.
     *
     * @param phase {@code markdown}, {@code template}, {@code json_encode} or {@code other}
     * @param sizeBytes the size of what was rendered
     */
    void rendered(String phase, long sizeBytes);
}
