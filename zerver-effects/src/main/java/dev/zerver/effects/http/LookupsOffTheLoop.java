package dev.zerver.effects.http;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.NetUtil;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Host name lookups for the HTTP client, on threads of their own: the JDK's lookup blocks (for as
 * long as the system's resolver takes), and Netty's default resolver would run it on the client's
 * one I/O thread, stalling every call in flight meanwhile. Address literals are parsed in place.
 * At most two lookup threads, made on demand and gone after 30 s idle; lookups happen only when a
 * new connection is opened, and the JDK caches their answers.
 */
final class LookupsOffTheLoop extends AddressResolverGroup<InetSocketAddress> {
    static final String THREAD_NAME = "zerver-http-lookup";

    private final ThreadPoolExecutor lookups;

    LookupsOffTheLoop() {
        lookups = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, THREAD_NAME);
            t.setDaemon(true);
            return t;
        });
        lookups.allowCoreThreadTimeOut(true);
    }

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetNameResolver(executor) {
            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                InetAddress literal = literal(host);
                if (literal != null) {
                    promise.setSuccess(literal);
                    return;
                }
                lookups.execute(() -> {
                    try {
                        promise.trySuccess(InetAddress.getByName(host));
                    } catch (UnknownHostException | RuntimeException e) {
                        promise.tryFailure(e);
                    }
                });
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                InetAddress literal = literal(host);
                if (literal != null) {
                    promise.setSuccess(List.of(literal));
                    return;
                }
                lookups.execute(() -> {
                    try {
                        promise.trySuccess(Arrays.asList(InetAddress.getAllByName(host)));
                    } catch (UnknownHostException | RuntimeException e) {
                        promise.tryFailure(e);
                    }
                });
            }
        }.asAddressResolver();
    }

    private static InetAddress literal(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return NetUtil.isValidIpV4Address(bare) || NetUtil.isValidIpV6Address(bare)
                ? NetUtil.createInetAddressFromIpAddressString(bare)
                : null;
    }

    @Override
    public void close() {
        super.close();
        lookups.shutdownNow();
    }
}
