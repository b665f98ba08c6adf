package dev.attachments.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;

/**
 * Loopback ports nobody listens on now, so that two stacks on one machine never collide. A port is
 * handed out once per process, so that parts started one after another never get the same one.
 */
public final class FreePort {
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  public static synchronized int pick() {
    while (true) {
      int port = probe();
      if (HANDED_OUT.add(port)) {
        return port;
      }
    }
  }

  /**
   * The first of {@code count} consecutive free ports: the Temporal dev server derives its internal
   * services' ports from its frontend port.
   */
  public static synchronized int pickBlock(int count) {
    for (int tries = 0; tries < 200; tries++) {
      int first = probe();
      if (first + count > 65535) {
        continue;
      }
      boolean free = true;
      for (int port = first; port < first + count && free; port++) {
        free = !HANDED_OUT.contains(port) && (port == first || isFree(port));
      }
      if (free) {
        for (int port = first; port < first + count; port++) {
          HANDED_OUT.add(port);
        }
        return first;
      }
    }
    throw new IllegalStateException("no " + count + " consecutive free loopback ports");
  }

  private static int probe() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private FreePort() {}
}
