package dev.zerver.examples.blog;

import dev.zerver.Decision;
import dev.zerver.Effect;
import dev.zerver.FailException;
import dev.zerver.Join;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.effects.cache.Cache;
import dev.zerver.effects.db.Db;
import dev.zerver.examples.blog.Input.CommentFields;
import dev.zerver.examples.blog.Input.PostFields;
import dev.zerver.examples.blog.Model.Comment;
import dev.zerver.examples.blog.Model.Post;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/** The JSON API: posts and their comments. Every read and write is a db effect. */
final class Api {
    static final Slot<Post> POST = Slot.of("post", Post.class);
    static final Slot<Post[]> POSTS = Slot.of("posts", Post[].class);
    static final Slot<Comment[]> COMMENTS = Slot.of("comments", Comment[].class);
    static final Slot<Integer> CHANGED = Slot.of("changed", Integer.class);
    static final Slot<PostFields> POST_INPUT = Slot.of("post_input", PostFields.class);
    static final Slot<CommentFields> COMMENT_INPUT = Slot.of("comment_input", CommentFields.class);

    private static final String POST_COLUMNS = "id, title, content, author, created_at, updated_at";

    private Api() {}

    static void routes(Zerver.Builder app) {
        Step validatePost = Step.named("validate_post").writes(POST_INPUT).run(ctx -> {
            ctx.put(POST_INPUT, Input.fullPost(ctx));
            return Decision.next();
        });
        Step validatePatch = Step.named("validate_patch").writes(POST_INPUT).run(ctx -> {
            ctx.put(POST_INPUT, Input.partialPost(ctx));
            return Decision.next();
        });
        Step validateComment = Step.named("validate_comment").writes(COMMENT_INPUT).run(ctx -> {
            ctx.put(COMMENT_INPUT, Input.comment(ctx));
            return Decision.next();
        });

        Step listPosts = Step.named("list_posts").writes(POSTS).run(ctx -> Need.parallel(allPosts())
                .continueWith("respond", c -> Decision.done(Response.json(c.optional(POSTS).orElse(new Post[0])))));

        Step createPost = Step.named("create_post").reads(POST_INPUT).writes(CHANGED).run(ctx -> {
            PostFields in = ctx.require(POST_INPUT);
            String id = UUID.randomUUID().toString().substring(0, 8);
            String now = now();
            Post post = new Post(id, in.title(), in.content(), in.author(), now, now);
            return Need.parallel(Db.put("blog_post", id, columns(post)).into(CHANGED))
                    .continueWith("respond", c -> Decision.done(Response.json(post).status(201)
                            .header("location", "/blogs/api/posts/" + id)));
        });

        Step getPost = Step.named("get_post").writes(POST).run(ctx -> Need.parallel(
                        Db.get("blog_post", ctx.param("id")).into(POST))
                .continueWith("respond", c -> Decision.done(Response.json(found(c.optional(POST).orElse(null))))));

        Step replacePost = Step.named("replace_post").reads(POST_INPUT).writes(CHANGED, POST).run(ctx -> {
            PostFields in = ctx.require(POST_INPUT);
            String id = ctx.param("id");
            return update(id, in.title(), in.content(), in.author())
                    .continueWith("reload", c -> c.require(CHANGED) == 0 ? notFound() : reload(id));
        });

        Step patchPost = Step.named("patch_post").reads(POST_INPUT).writes(CHANGED, POST).run(ctx -> {
            String id = ctx.param("id");
            return Need.parallel(Db.get("blog_post", id).into(POST)).continueWith("merge", c -> {
                Post old = found(c.optional(POST).orElse(null));
                PostFields in = c.require(POST_INPUT);
                return update(id, or(in.title(), old.title()), or(in.content(), old.content()), or(in.author(), old.author()))
                        .continueWith("reload", k -> reload(id));
            });
        });

        Step deletePost = Step.named("delete_post").writes(CHANGED).run(ctx -> {
            String id = ctx.param("id");
            return Need.sequential(
                            Db.update("DELETE FROM blog_comment WHERE post_id = ?", id),
                            Db.delete("blog_post", id).into(CHANGED),
                            Cache.delete("author_profile", id).optional())
                    .continueWith("respond", c -> c.require(CHANGED) == 0 ? notFound() : Decision.done(Response.empty(204)));
        });

        Step listComments = Step.named("list_comments").writes(POST, COMMENTS).run(ctx -> {
            String postId = ctx.param("post_id");
            return Need.parallel(
                            Db.get("blog_post", postId).into(POST),
                            Db.query("SELECT id, post_id, author, content, created_at FROM blog_comment"
                                    + " WHERE post_id = ? ORDER BY created_at, id", postId).into(COMMENTS))
                    .join(Join.ALL)
                    .continueWith("respond", c -> {
                        found(c.optional(POST).orElse(null));
                        return Decision.done(Response.json(c.optional(COMMENTS).orElse(new Comment[0])));
                    });
        });

        Step addComment = Step.named("add_comment").reads(COMMENT_INPUT).writes(POST, CHANGED).run(ctx -> {
            String postId = ctx.param("post_id");
            CommentFields in = ctx.require(COMMENT_INPUT);
            Comment comment = new Comment("c" + UUID.randomUUID().toString().substring(0, 8), postId, in.author(),
                    in.content(), now());
            return Need.parallel(Db.get("blog_post", postId).into(POST)).continueWith("insert", c -> {
                found(c.optional(POST).orElse(null));
                Map<String, Object> columns = new LinkedHashMap<>();
                columns.put("post_id", comment.postId());
                columns.put("author", comment.author());
                columns.put("content", comment.content());
                columns.put("created_at", comment.createdAt());
                return Need.parallel(Db.put("blog_comment", comment.id(), columns).into(CHANGED))
                        .continueWith("respond", k -> Decision.done(Response.json(comment).status(201)));
            });
        });

        Step deleteComment = Step.named("delete_comment").writes(CHANGED).run(ctx -> Need.parallel(
                        Db.update("DELETE FROM blog_comment WHERE id = ? AND post_id = ?",
                                ctx.param("comment_id"), ctx.param("post_id")).into(CHANGED))
                .continueWith("respond", c -> c.require(CHANGED) == 0
                        ? Decision.fail(404, "comment", "not_found") : Decision.done(Response.empty(204))));

        app.get("/blogs/api/posts", listPosts)
                .post("/blogs/api/posts", validatePost, createPost)
                .get("/blogs/api/posts/{id}", getPost)
                .put("/blogs/api/posts/{id}", validatePost, replacePost)
                .patch("/blogs/api/posts/{id}", validatePatch, patchPost)
                .delete("/blogs/api/posts/{id}", deletePost)
                .get("/blogs/api/posts/{post_id}/comments", listComments)
                .post("/blogs/api/posts/{post_id}/comments", validateComment, addComment)
                .delete("/blogs/api/posts/{post_id}/comments/{comment_id}", deleteComment);
    }

    /** Every post, newest first (the API's list and the index page). */
    static Effect allPosts() {
        return Db.query("SELECT " + POST_COLUMNS + " FROM blog_post ORDER BY created_at DESC, id").into(POSTS);
    }

    /** Writes a post's fields (the slot gets the rows changed) and forgets its cached author profile. */
    private static Need update(String id, String title, String content, String author) {
        return Need.parallel(
                        Db.update("UPDATE blog_post SET title = ?, content = ?, author = ?, updated_at = ? WHERE id = ?",
                                title, content, author, now(), id).into(CHANGED),
                        Cache.delete("author_profile", id).optional())
                .join(Join.ALL);
    }

    private static Need reload(String id) {
        return Need.parallel(Db.get("blog_post", id).into(POST))
                .continueWith("respond", c -> Decision.done(Response.json(found(c.optional(POST).orElse(null)))));
    }

    /** The post, or a 404 Fail thrown out of the step. */
    static Post found(Post post) {
        if (post == null) {
            throw new FailException(404, "post", "not_found");
        }
        return post;
    }

    private static Decision notFound() {
        return Decision.fail(404, "post", "not_found");
    }

    private static Map<String, Object> columns(Post p) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("title", p.title());
        m.put("content", p.content());
        m.put("author", p.author());
        m.put("created_at", p.createdAt());
        m.put("updated_at", p.updatedAt());
        return m;
    }

    private static String or(String value, String fallback) {
        return value != null ? value : fallback;
    }

    static String now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
