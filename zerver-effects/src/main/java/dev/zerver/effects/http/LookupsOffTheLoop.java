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
import java.util.function.Function;

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
                answer(host, promise, literal -> literal, InetAddress::getByName);
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                answer(host, promise, List::of, name -> Arrays.asList(InetAddress.getAllByName(name)));
            }
        }.asAddressResolver();
    }

    private interface Lookup<T> {
        T lookUp(String host) throws UnknownHostException;
    }

    /** An address literal answers at once; a name is looked up on a lookup thread. */
    private <T> void answer(String host, Promise<T> promise, Function<InetAddress, T> ofLiteral, Lookup<T> lookup) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        InetAddress literal = NetUtil.createInetAddressFromIpAddressString(bare); // null for a name
        if (literal != null) {
            promise.setSuccess(ofLiteral.apply(literal));
            return;
        }
        lookups.execute(() -> {
            try {
                promise.trySuccess(lookup.lookUp(host));
            } catch (UnknownHostException | RuntimeException e) {
                promise.tryFailure(e);
            }
        });
    }

    @Override
    public void close() {
        super.close();
        lookups.shutdownNow();
    }
}
