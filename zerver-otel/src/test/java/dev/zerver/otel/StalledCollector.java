package dev.zerver.otel;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A collector on loopback that accepts connections and never reads or answers anything on them. */
public final class StalledCollector implements AutoCloseable {
    private final ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private final List<Socket> held = new CopyOnWriteArrayList<>();

    public StalledCollector() throws IOException {
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    held.add(listener.accept());
                }
            } catch (IOException closed) {
                // the test is over
            }
        }, "stalled-collector");
        acceptor.setDaemon(true); // ends when the listener closes
        acceptor.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Connections accepted so far. */
    public int connections() {
        return held.size();
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket s : held) {
            s.close();
        }
    }
}
