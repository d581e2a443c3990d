package dev.archon.sync.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP forwarder between the code under test and a cluster that can play a cut network: after
 * {@link #stall()} it forwards nothing more and stops reading, while every socket stays open (its kernel
 * still acknowledges, as a path that drops packets after the last hop would look to keepalive); new
 * connections are accepted and never forwarded. {@link #close()} closes everything with a reset, so the
 * server's backends notice their client is gone. Owned by the test that starts it.
 */
public final class StallingProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final InetSocketAddress upstream;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger connections = new AtomicInteger();
    private volatile boolean stalled;
    private volatile long stalledAtNanos;

    private StallingProxy(ServerSocket listener, InetSocketAddress upstream) {
        this.listener = listener;
        this.upstream = upstream;
    }

    /** Listens on 127.0.0.1 (a free port) and forwards to the cluster. */
    public static StallingProxy to(PgCluster cluster) {
        try {
            ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            StallingProxy p = new StallingProxy(s, new InetSocketAddress(cluster.host(), cluster.port()));
            Thread t = new Thread(p::acceptLoop, "stalling-proxy-accept");
            t.setDaemon(true);
            t.start();
            return p;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the proxy: " + e.getMessage(), e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** The cluster's URL for {@code db}, through this proxy. */
    public String url(PgCluster cluster, String db) {
        return cluster.url(db).replace(":" + cluster.port() + "/", ":" + port() + "/");
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    /** From now on nothing is forwarded or read; sockets stay open. */
    public void stall() {
        if (!stalled) {
            stalledAtNanos = System.nanoTime();
            stalled = true;
        }
    }

    public boolean stalled() {
        return stalled;
    }

    /** System.nanoTime() of the stall. */
    public long stalledAtNanos() {
        return stalledAtNanos;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                connections.incrementAndGet();
                sockets.add(client);
                if (stalled) {
                    continue; // accepted, never forwarded
                }
                Socket server = new Socket();
                sockets.add(server);
                server.connect(upstream, 5000);
                pump(client.getInputStream(), server.getOutputStream(), "up");
                pump(server.getInputStream(), client.getOutputStream(), "down");
            } catch (IOException e) {
                // closed, or one connection failed: the others go on
            }
        }
    }

    private void pump(InputStream in, OutputStream out, String direction) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                while (true) {
                    holdWhileStalled();
                    int n = in.read(buf);
                    if (n < 0) {
                        break;
                    }
                    holdWhileStalled(); // what was read while the stall began is never delivered
                    out.write(buf, 0, n);
                    out.flush();
                }
                out.close();
            } catch (IOException | InterruptedException e) {
                // closed
            }
        }, "stalling-proxy-" + direction);
        t.setDaemon(true);
        t.start();
    }

    private void holdWhileStalled() throws InterruptedException, IOException {
        if (stalled) {
            closed.await();
            throw new IOException("proxy closed");
        }
    }

    /** Resets every connection (the server's backends see their client gone) and stops listening. */
    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing
        }
        for (Socket s : sockets) {
            try {
                s.setSoLinger(true, 0);
                s.close();
            } catch (IOException ignored) {
                // closed already
            }
        }
        closed.countDown();
    }
}
