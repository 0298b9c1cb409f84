package dev.zerver.examples.blog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.zerver.Ctx;
import dev.zerver.FailException;
import java.io.IOException;

/** Reads and validates JSON request bodies; every problem is a 400 with a key a client can act on. */
final class Input {
    static final int MAX_TITLE = 200;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Input() {}

    /** A post's fields; null where a PATCH left them out. */
    record PostFields(String title, String content, String author) {}

    /** A new comment. */
    record CommentFields(String author, String content) {}

    /** All three fields, each valid (POST and PUT). */
    static PostFields fullPost(Ctx ctx) {
        JsonNode body = object(ctx, "post");
        return new PostFields(title(text(body, "title", "post")),
                required(text(body, "content", "post"), "post", "content_empty"),
                required(text(body, "author", "post"), "post", "author_empty"));
    }

    /** The fields present, each valid (PATCH). */
    static PostFields partialPost(Ctx ctx) {
        JsonNode body = object(ctx, "post");
        String title = body.has("title") ? title(text(body, "title", "post")) : null;
        String content = body.has("content") ? required(text(body, "content", "post"), "post", "content_empty") : null;
        String author = body.has("author") ? required(text(body, "author", "post"), "post", "author_empty") : null;
        return new PostFields(title, content, author);
    }

    static CommentFields comment(Ctx ctx) {
        JsonNode body = object(ctx, "comment");
        return new CommentFields(required(text(body, "author", "comment"), "comment", "author_empty"),
                required(text(body, "content", "comment"), "comment", "content_empty"));
    }

    private static JsonNode object(Ctx ctx, String what) {
        try {
            JsonNode node = JSON.readTree(ctx.body());
            if (node == null || !node.isObject()) {
                throw new FailException(400, what, "invalid_json");
            }
            return node;
        } catch (IOException e) {
            throw new FailException(400, what, "invalid_json");
        }
    }

    private static String text(JsonNode body, String field, String what) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw new FailException(400, what, "invalid_json");
        }
        String text = v.asText();
        if (!storable(text)) {
            throw new FailException(400, what, field + "_invalid_character");
        }
        return text;
    }

    /**
     * Whether every database can store the text: no U+0000 (PostgreSQL refuses it in text) and no
     * unpaired surrogate (not encodable as UTF-8).
     */
    private static boolean storable(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == 0) {
                return false;
            }
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return false;
            }
        }
        return true;
    }

    private static String title(String title) {
        String t = required(title, "post", "title_empty");
        if (t.codePointCount(0, t.length()) > MAX_TITLE) {
            throw new FailException(400, "post", "title_too_long");
        }
        return t;
    }

    private static String required(String value, String what, String key) {
        if (value == null || value.isBlank()) {
            throw new FailException(400, what, key);
        }
        return value.strip();
    }
}
