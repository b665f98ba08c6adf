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
  private static final int FIRST = 20000;
  private static final java.util.Random RANDOM = new java.security.SecureRandom();

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

  /**
   * A port below the kernel's ephemeral range, free on every interface. Ports the kernel hands out
   * itself (port 0) are the ones outgoing connections take their local port from, so one probed
   * free could be some client's by the time a server binds it (seen: the API failing with "Address
   * already in use" after the stack's own connections started).
   */
  private static int probe() {
    int below = ephemeralRangeStart();
    for (int tries = 0; tries < 500 && below > FIRST + 1000; tries++) {
      int port = FIRST + RANDOM.nextInt(below - FIRST);
      if (!HANDED_OUT.contains(port) && isFree(port)) {
        return port;
      }
    }
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port", e);
    }
  }

  /** Where the kernel's ephemeral ports begin (Linux; 32768 elsewhere). */
  private static int ephemeralRangeStart() {
    try {
      String range =
          java.nio.file.Files.readString(
              java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"));
      return Integer.parseInt(range.trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 32768;
    }
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private FreePort() {}
}
