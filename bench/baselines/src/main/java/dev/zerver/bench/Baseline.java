package dev.zerver.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.FullHttpRequest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * What a Java user would write instead of Zerver, for the runtime's load comparison: a bare Netty
 * HTTP server on the same Netty version, transport and event-loop count as Zerver's.
 *
 * <ul>
 *   <li>{@code hello PORT}: answers {@code GET /hello} with {@code hello, world} on the event loop;
 *   <li>{@code api PORT JDBC_URL}: answers {@code GET /blogs/api/posts/{id}} as the blog's API does:
 *       {@code SELECT * FROM blog_post WHERE id = ?} through HikariCP (4 connections, the blog's
 *       default) on a blocking pool of 4 threads, the row as a map converted to the post record and
 *       encoded with Jackson, 404 when there is no such post.
 * </ul>
 */
public final class Baseline {
    private static final ObjectMapper JSON = new ObjectMapper();

    record Post(String id, String title, String content, String author,
            @JsonProperty("created_at") String createdAt, @JsonProperty("updated_at") String updatedAt) {}

    private Baseline() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || !(args[0].equals("hello") || args[0].equals("api") && args.length == 3)) {
            System.err.println("usage: java -jar baselines.jar hello PORT | api PORT JDBC_URL");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        SimpleChannelInboundHandler<FullHttpRequest> handler;
        if (args[0].equals("hello")) {
            handler = new Hello();
        } else {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl(args[2]);
            config.setMaximumPoolSize(4);
            handler = new Api(new HikariDataSource(config), Executors.newFixedThreadPool(4));
        }
        EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoopGroup workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                NioIoHandler.newFactory());
        new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(1 << 20), handler);
                    }
                })
                .bind("127.0.0.1", port).sync();
        System.out.println("baseline " + args[0] + " listening on 127.0.0.1:" + port);
    }

    static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type, byte[] body) {
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        if (keepAlive) {
            ctx.writeAndFlush(r);
        } else {
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @io.netty.channel.ChannelHandler.Sharable
    static final class Hello extends SimpleChannelInboundHandler<FullHttpRequest> {
        private static final byte[] BODY = "hello, world\n".getBytes(StandardCharsets.UTF_8);

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean found = req.uri().equals("/hello");
            respond(ctx, HttpUtil.isKeepAlive(req), found ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND,
                    "text/plain; charset=utf-8", found ? BODY : new byte[0]);
        }
    }

    @io.netty.channel.ChannelHandler.Sharable
    static final class Api extends SimpleChannelInboundHandler<FullHttpRequest> {
        private static final String PREFIX = "/blogs/api/posts/";
        private final HikariDataSource db;
        private final ExecutorService blocking;

        Api(HikariDataSource db, ExecutorService blocking) {
            this.db = db;
            this.blocking = blocking;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            String uri = req.uri();
            if (!uri.startsWith(PREFIX) || uri.indexOf('/', PREFIX.length()) >= 0) {
                respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "text/plain", new byte[0]);
                return;
            }
            String id = uri.substring(PREFIX.length());
            blocking.execute(() -> {
                try {
                    Map<String, Object> row = read(id);
                    byte[] body = row == null ? "{\"error\":{\"code\":404}}".getBytes(StandardCharsets.UTF_8)
                            : JSON.writeValueAsBytes(JSON.convertValue(row, Post.class));
                    ctx.executor().execute(() -> respond(ctx, keepAlive,
                            row == null ? HttpResponseStatus.NOT_FOUND : HttpResponseStatus.OK, "application/json", body));
                } catch (Exception e) {
                    ctx.executor().execute(() -> respond(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR,
                            "text/plain", new byte[0]));
                }
            });
        }

        private Map<String, Object> read(String id) throws Exception {
            try (Connection c = db.getConnection();
                    PreparedStatement st = c.prepareStatement("SELECT * FROM blog_post WHERE id = ?")) {
                st.setString(1, id);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    ResultSetMetaData md = rs.getMetaData();
                    Map<String, Object> row = new LinkedHashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        row.put(md.getColumnLabel(i).toLowerCase(Locale.ROOT), rs.getObject(i));
                    }
                    return row;
                }
            }
        }
    }
}
