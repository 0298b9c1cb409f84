package dev.zerver.examples.blog;

import com.fasterxml.jackson.annotation.JsonProperty;

/** The blog's data, as stored in its tables and sent in its JSON API. */
final class Model {
    private Model() {}

    /** A row of {@code blog_post}. */
    record Post(String id, String title, String content, String author,
            @JsonProperty("created_at") String createdAt, @JsonProperty("updated_at") String updatedAt) {}

    /** A row of {@code blog_comment}. */
    record Comment(String id, @JsonProperty("post_id") String postId, String author, String content,
            @JsonProperty("created_at") String createdAt) {}

    /** A row of {@code blog_author}, cached per post in the {@code author_profile} namespace. */
    record Author(String id, @JsonProperty("display_name") String displayName, String bio) {}
}
