package dev.zerver;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a {@link Decision.Fail} into the response the client sees. The default writes
 * {@code {"error":{"code":404,"what":"post","key":"not_found"}}}; replace it with
 * {@code Zerver.builder().onError(...)}.
 */
@FunctionalInterface
public interface ErrorRenderer {
    Response render(Ctx ctx, Decision.Fail fail);

    /** The default JSON error body. */
    static ErrorRenderer json() {
        return (ctx, fail) -> Response.json(body(fail)).status(fail.status());
    }

    /** The default body as a map, for renderers that add to it. */
    static Map<String, Object> body(Decision.Fail fail) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", fail.status());
        error.put("what", fail.what());
        error.put("key", fail.key());
        return Map.of("error", error);
    }
}
