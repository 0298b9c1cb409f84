package dev.zerver.examples.blog;

import dev.zerver.Ctx;
import dev.zerver.Decision;
import dev.zerver.Join;
import dev.zerver.Need;
import dev.zerver.Response;
import dev.zerver.Slot;
import dev.zerver.Step;
import dev.zerver.Zerver;
import dev.zerver.effects.cache.Cache;
import dev.zerver.effects.db.Db;
import dev.zerver.effects.http.Http;
import dev.zerver.examples.blog.Model.Author;
import dev.zerver.examples.blog.Model.Comment;
import dev.zerver.examples.blog.Model.Post;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Supplier;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.DefaultUrlSanitizer;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * The HTML pages. The post page is the contract's parallel shape: the post from the database,
 * the author's profile from the cache (a miss falls back to the database) and the comments from
 * the comments service over HTTP, joined with ALL; then markdown and template rendering.
 */
final class Pages {
    private static final Slot<Post> POST = Api.POST;
    private static final Slot<Post[]> POSTS = Api.POSTS;
    private static final Slot<Comment[]> COMMENTS = Api.COMMENTS;
    static final Slot<Author> AUTHOR = Slot.of("author", Author.class);
    static final Slot<String> BODY_HTML = Slot.of("body_html", String.class);

    private static final Parser MARKDOWN = Parser.builder().build();
    // Raw HTML in a post is shown as text, and unsafe link targets are dropped.
    /** Raw HTML escaped; links and images only over http, https and mailto (no javascript:, no data:). */
    private static final HtmlRenderer HTML = HtmlRenderer.builder().escapeHtml(true).sanitizeUrls(true)
            .urlSanitizer(new DefaultUrlSanitizer(List.of("http", "https", "mailto"))).build();

    private Pages() {}

    /** {@code commentsBase}: the comments service's base URL, known once the server listens. */
    static void routes(Zerver.Builder app, Supplier<String> commentsBase) {
        Step loadIndex = Step.named("load_blog_index").writes(POSTS).run(ctx -> Need.parallel(Api.allPosts()));
        Step renderIndex = Step.named("render_blog_index").reads(POSTS).run(ctx -> {
            StringBuilder items = new StringBuilder();
            for (Post p : ctx.optional(POSTS).orElse(new Post[0])) {
                items.append("<li><a href=\"/blogs/posts/").append(escape(p.id())).append("\">").append(escape(p.title()))
                        .append("</a> <small>by ").append(escape(p.author())).append(", ")
                        .append(escape(p.createdAt())).append("</small></li>\n");
            }
            String html = page("Zerver blog", "<h1>Zerver blog</h1>\n<ul>\n" + items + "</ul>");
            ctx.rendered("template", html.length());
            return Decision.done(htmlPage(html));
        });

        Step loadPage = Step.named("load_blog_post_page").writes(POST, AUTHOR, COMMENTS).run(ctx -> {
            String id = ctx.param("id");
            return Need.parallel(
                            Db.get("blog_post", id).into(POST),
                            Cache.get("author_profile", id).into(AUTHOR),
                            Http.get(BlogConfig.resolve(commentsBase.get(), "/blogs/api/posts/" + urlPart(id) + "/comments"), "comments")
                                    .into(COMMENTS).optional())
                    .join(Join.ALL)
                    .continueWith("check_post", Pages::checkPost);
        });
        Step renderMarkdown = Step.named("render_markdown").reads(POST).writes(BODY_HTML).run(ctx -> {
            String html = HTML.render(MARKDOWN.parse(ctx.require(POST).content()));
            ctx.put(BODY_HTML, html);
            ctx.rendered("markdown", html.length());
            return Decision.next();
        });
        Step renderPage = Step.named("render_blog_post_page").reads(POST, AUTHOR, COMMENTS, BODY_HTML).run(ctx -> {
            Post post = ctx.require(POST);
            Author author = ctx.optional(AUTHOR).orElse(new Author(post.author(), post.author(), ""));
            StringBuilder comments = new StringBuilder();
            Comment[] list = ctx.optional(COMMENTS).orElse(null);
            if (list == null) {
                comments.append("<p><em>Comments are unavailable right now.</em></p>\n");
            } else {
                comments.append("<h2>Comments (").append(list.length).append(")</h2>\n<ul>\n");
                for (Comment c : list) {
                    comments.append("<li><strong>").append(escape(c.author())).append("</strong>: ")
                            .append(escape(c.content())).append("</li>\n");
                }
                comments.append("</ul>\n");
            }
            String html = page(post.title(), "<p><a href=\"/blogs\">&larr; all posts</a></p>\n<article>\n<h1>"
                    + escape(post.title()) + "</h1>\n<p class=\"byline\">by " + escape(author.displayName()) + " &middot; "
                    + escape(post.createdAt()) + "</p>\n" + ctx.require(BODY_HTML) + "</article>\n<aside>"
                    + escape(author.bio()) + "</aside>\n" + comments);
            ctx.rendered("template", html.length());
            return Decision.done(htmlPage(html));
        });

        app.get("/blogs", loadIndex, renderIndex)
                .get("/blogs/posts/{id}", loadPage, renderMarkdown, renderPage);
    }

    /** 404 for a missing post; on a cache miss, the author's profile from the database, then cached. */
    private static Decision checkPost(Ctx c) {
        Post post = Api.found(c.optional(POST).orElse(null));
        if (c.optional(AUTHOR).isPresent()) {
            return Decision.next();
        }
        String postId = c.param("id");
        return Need.parallel(Db.get("blog_author", post.author()).into(AUTHOR).optional())
                .continueWith("cache_author", k -> {
                    Author found = k.optional(AUTHOR).orElse(new Author(post.author(), post.author(), ""));
                    return Need.parallel(Cache.put("author_profile", postId, found).optional());
                });
    }

    /**
     * An HTML page with the headers that keep a stored post harmless: no script, plugin, frame or
     * foreign resource runs or loads (the pages use none), and no content-type sniffing.
     */
    static Response htmlPage(String html) {
        return Response.html(html)
                .header("content-security-policy", "default-src 'none'; img-src 'self' https:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
                .header("x-content-type-options", "nosniff");
    }

    private static String page(String title, String body) {
        return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + escape(title) + "</title></head>\n<body>\n"
                + body + "\n</body></html>\n";
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }

    private static String urlPart(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
