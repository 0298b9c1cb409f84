package dev.zerver.otel.internal;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.IntUnaryOperator;

/**
 * Two builds' record walk and OTLP encoding ({@link EncodeDriver}) side by side in one JVM: each
 * build's {@code benchmarks.jar} is loaded by a class loader of its own, and the two take turns in
 * blocks of 20,000 requests (A B, then B A) for 100 rounds, each block timed by this thread's CPU
 * clock. Drifts of a shared machine (a neighbour's load, the host stealing time) then fall on both
 * builds alike, which running them one after the other cannot promise. One build against itself
 * gave 0.985 here (the middle half of the rounds' ratios 0.92-1.04), where separate runs of
 * {@link EncodeCpuTime} differ by 20-30%.
 *
 * <pre>java -cp bench/jmh/target/benchmarks.jar dev.zerver.otel.internal.EncodeCompare BEFORE.jar AFTER.jar [api|page]</pre>
 *
 * A build's jar must have the classes {@link EncodeDriver} uses with the same signatures; the
 * driver itself is this jar's, defined again in each build's loader.
 */
public final class EncodeCompare {
    private static final int BLOCK = 20_000;
    private static final int WARM_UP_ROUNDS = 20;
    private static final int ROUNDS = 100;

    private EncodeCompare() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 2 || args.length > 3 || args.length == 3 && !args[2].equals("api") && !args[2].equals("page")) {
            System.err.println("usage: EncodeCompare BEFORE.jar AFTER.jar [api|page]");
            System.exit(2);
        }
        String route = args.length == 3 ? args[2] : "api";
        IntUnaryOperator[] builds;
        try {
            builds = new IntUnaryOperator[] {driver(Path.of(args[0]), route), driver(Path.of(args[1]), route)};
        } catch (IllegalArgumentException | IOException e) {
            System.err.println("EncodeCompare: " + e.getMessage());
            System.exit(2);
            return;
        }
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        double[][] nanos = new double[2][ROUNDS];
        int[] bytes = new int[2];
        for (int round = -WARM_UP_ROUNDS; round < ROUNDS; round++) {
            for (int turn = 0; turn < 2; turn++) {
                int b = (round & 1) == 0 ? turn : 1 - turn;
                long start = threads.getCurrentThreadCpuTime();
                bytes[b] = builds[b].applyAsInt(BLOCK);
                long spent = threads.getCurrentThreadCpuTime() - start;
                if (round >= 0) {
                    nanos[b][round] = spent / (double) BLOCK;
                }
            }
        }
        double[] ratios = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            ratios[r] = nanos[1][r] / nanos[0][r];
        }
        Arrays.sort(ratios);
        System.out.printf("%s record, record walk and OTLP encoding, us of CPU per request (median of %d rounds of %,d):%n"
                + "  before %.2f  (%s, %d bytes)%n  after  %.2f  (%s, %d bytes)%n"
                + "  after / before %.3f (rounds' middle half %.3f-%.3f)%n",
                route, ROUNDS, BLOCK, median(nanos[0]) / 1000, args[0], bytes[0], median(nanos[1]) / 1000, args[1],
                bytes[1], ratios[ROUNDS / 2], ratios[ROUNDS / 4], ratios[3 * ROUNDS / 4]);
        System.exit(0);
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** The build's {@link EncodeDriver}: this jar's driver class, defined in a loader that sees only that build. */
    private static IntUnaryOperator driver(Path jar, String route) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException(jar + " is not a file (a benchmarks.jar of bench/jmh)");
        }
        String name = EncodeDriver.class.getName();
        byte[] driverClass;
        try (InputStream in = EncodeCompare.class.getResourceAsStream("/" + name.replace('.', '/') + ".class")) {
            driverClass = in.readAllBytes();
        }
        ClassLoader build = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader()) {
            @Override
            protected Class<?> loadClass(String className, boolean resolve) throws ClassNotFoundException {
                if (!className.equals(name)) {
                    return super.loadClass(className, resolve);
                }
                synchronized (getClassLoadingLock(className)) {
                    Class<?> c = findLoadedClass(className);
                    return c != null ? c : defineClass(className, driverClass, 0, driverClass.length);
                }
            }
        };
        Thread self = Thread.currentThread();
        ClassLoader context = self.getContextClassLoader();
        self.setContextClassLoader(build); // for the service lookups the blog makes
        try {
            // The JDK registers JDBC drivers found as services once per JVM: the second build's
            // SQLite driver registers itself when its class loads.
            Class.forName("org.sqlite.JDBC", true, build);
            return (IntUnaryOperator) build.loadClass(name).getConstructor(String.class).newInstance(route);
        } catch (LinkageError e) {
            throw new IOException(jar + " does not have what the driver calls (a build too old or too new): " + e, e);
        } finally {
            self.setContextClassLoader(context);
        }
    }
}
