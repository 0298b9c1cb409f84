package dev.zerver.internal.http;

import dev.zerver.config.ZerverSettings;
import dev.zerver.internal.runtime.ZerverRuntime;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The HTTP/1.1 server: NIO event loops that only parse and write. */
public final class NettyServer {
    private static final System.Logger LOG = System.getLogger(NettyServer.class.getName());
    private final ZerverRuntime runtime;
    private final ZerverSettings settings;
    private final ChannelGroup channels = new DefaultChannelGroup("zerver", GlobalEventExecutor.INSTANCE);
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;
    private int port = -1;
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong lastRefusalLog = new AtomicLong(System.nanoTime() - TimeUnit.SECONDS.toNanos(10));

    public NettyServer(ZerverRuntime runtime) {
        this.runtime = runtime;
        this.settings = runtime.settings();
    }

    /**
     * Binds and starts accepting.
     *
     * @throws IllegalStateException naming the address when it cannot be bound
     */
    public synchronized void start() {
        boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("zerver-accept"), NioIoHandler.newFactory());
        workers = new MultiThreadIoEventLoopGroup(Math.max(1, Runtime.getRuntime().availableProcessors()),
                new DefaultThreadFactory("zerver-io"), NioIoHandler.newFactory());
        long idleMillis = settings.idleTimeout().toMillis();
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(8192)
                .setMaxHeaderSize(settings.maxHeaderBytes())
                .setMaxChunkSize(8192);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // A client may shut its sending side after its last request and still read the answers.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (channels.size() >= settings.maxConnections()) {
                            refuse(ch);
                            return;
                        }
                        channels.add(ch);
                        SlowClientGuard guard = new SlowClientGuard(settings.headerTimeout().toNanos(),
                                settings.minBodyRate());
                        ch.pipeline()
                                .addLast("idle", new IdleStateHandler(idleMillis, 0, 0, TimeUnit.MILLISECONDS))
                                .addLast("slow-bytes", guard.bytes())
                                .addLast("codec", new HttpServerCodec(decoder, Integer.MAX_VALUE)) // Exchange bounds the pipelining itself
                                .addLast("slow-messages", guard.messages())
                                .addLast("start", new StartStamp(runtime.clock()))
                                .addLast("body", new BodyLimit(settings.maxBodyBytes()))
                                .addLast("exchange", new Exchange(runtime));
                    }
                });
        try {
            serverChannel = bootstrap.bind(settings.host(), settings.port()).syncUninterruptibly().channel();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot listen on " + settings.host() + ":" + settings.port() + ": "
                    + e.getMessage(), e);
        }
        port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** Closes a connection over {@code ZER_VER_MAX_CONNECTIONS}, saying so in the log at most every 10 s. */
    private void refuse(SocketChannel ch) {
        ch.close();
        long refusedNow = refused.incrementAndGet();
        long now = System.nanoTime();
        long last = lastRefusalLog.get();
        if (now - last >= TimeUnit.SECONDS.toNanos(10) && lastRefusalLog.compareAndSet(last, now)) {
            LOG.log(System.Logger.Level.WARNING, ZerverSettings.MAX_CONNECTIONS + "=" + settings.maxConnections()
                    + " reached: " + refusedNow + " connection(s) refused so far");
        }
    }

    /** Connections closed at once because {@code ZER_VER_MAX_CONNECTIONS} were open. */
    public long refusedConnections() {
        return refused.get();
    }

    /** The bound port, or -1 before start. */
    public int port() {
        return port;
    }

    /** Stops accepting new connections; open ones go on. */
    public synchronized void stopAccepting() {
        if (serverChannel != null) {
            serverChannel.close().syncUninterruptibly();
        }
    }

    /** Closes every connection and the event loops. */
    public synchronized void close() {
        stopAccepting();
        channels.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
