package dev.attachments.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP proxy in front of a service that can be frozen: while frozen it still accepts connections
 * (as the kernel does for a stopped process) but passes no byte either way, so callers see a
 * service that hangs, not one that is down. For tests of what a hanging dependency does to us;
 * thawed, the held bytes flow on.
 */
public final class FreezableProxy implements AutoCloseable {
  private final ServerSocket server;
  private final InetSocketAddress upstream;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object gate = new Object();
  private volatile boolean frozen;

  private FreezableProxy(ServerSocket server, InetSocketAddress upstream) {
    this.server = server;
    this.upstream = upstream;
  }

  public static FreezableProxy to(String host, int port) throws IOException {
    ServerSocket server = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
    FreezableProxy proxy = new FreezableProxy(server, new InetSocketAddress(host, port));
    daemon(proxy::accept, "proxy-accept-" + server.getLocalPort());
    return proxy;
  }

  public int port() {
    return server.getLocalPort();
  }

  public void freeze() {
    frozen = true;
  }

  public void thaw() {
    synchronized (gate) {
      frozen = false;
      gate.notifyAll();
    }
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket service = new Socket(upstream.getAddress(), upstream.getPort());
        sockets.add(client);
        sockets.add(service);
        pump(client, service);
        pump(service, client);
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    daemon(
        () -> {
          byte[] buffer = new byte[64 * 1024];
          try (InputStream in = from.getInputStream();
              OutputStream out = to.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
              awaitThaw();
              out.write(buffer, 0, n);
              out.flush();
            }
          } catch (IOException | InterruptedException gone) {
            // one side closed: close the other
          } finally {
            closeQuietly(from);
            closeQuietly(to);
          }
        },
        "proxy-pump");
  }

  private static void daemon(Runnable work, String name) {
    Thread thread = new Thread(work, name);
    thread.setDaemon(true);
    thread.start();
  }

  private void awaitThaw() throws InterruptedException {
    synchronized (gate) {
      while (frozen) {
        gate.wait();
      }
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    thaw();
    server.close();
    sockets.forEach(FreezableProxy::closeQuietly);
  }
}
