package dev.attachments.scan;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * clamd's INSTREAM protocol with connect and read timeouts, and a watchdog for a clamd that stops reading.
 * We own these hundred lines because the Java clients on Maven Central either have no timeouts at all or a
 * fixed one that breaks honest large scans (see the README).
 */
public final class ClamdClient {
  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          runnable -> {
            Thread thread = new Thread(runnable, "clamd-watchdog");
            thread.setDaemon(true);
            return thread;
          });

  private final String host;
  private final int port;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final int chunkSize;

  /**
   * @param readTimeout longest silence allowed: while sending, clamd not taking bytes; after, clamd not answering
   */
  public ClamdClient(String host, int port, Duration connectTimeout, Duration readTimeout, int chunkSize) {
    this.host = host;
    this.port = port;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
    this.chunkSize = chunkSize;
  }

  /** clamd's version line, e.g. {@code ClamAV 1.4.6/27000/Tue Nov 24 09:00:00 2026}. */
  public String version() throws IOException {
    try (Socket socket = connect()) {
      send(socket, "zVERSION\0");
      return readReply(socket.getInputStream());
    }
  }

  /**
   * Streams everything {@code content} holds to clamd and answers its verdict.
   *
   * @param progress told the number of bytes sent so far, after every chunk
   */
  public Reply scan(InputStream content, LongConsumer progress) throws IOException {
    try (Socket socket = connect()) {
      AtomicLong lastProgress = new AtomicLong(System.nanoTime());
      AtomicBoolean cutOff = new AtomicBoolean();
      ScheduledFuture<?> watchdog = watch(socket, lastProgress, cutOff);
      try {
        OutputStream out = socket.getOutputStream();
        out.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
        byte[] buffer = new byte[chunkSize];
        long sent = 0;
        int read;
        while ((read = content.readNBytes(buffer, 0, buffer.length)) > 0) {
          out.write(ByteBuffer.allocate(4).putInt(read).array());
          out.write(buffer, 0, read);
          sent += read;
          lastProgress.set(System.nanoTime());
          progress.accept(sent);
        }
        out.write(new byte[4]);
        out.flush();
      } catch (IOException sendFailed) {
        if (cutOff.get()) {
          throw new IOException("clamd took no bytes for " + readTimeout + ": cut off", sendFailed);
        }
        // clamd hangs up on a stream over its StreamMaxLength, after saying so: read that if it is there
        String reply = tryReadReply(socket);
        if (reply == null) {
          throw sendFailed;
        }
        return new Reply(reply);
      } finally {
        watchdog.cancel(false);
      }
      // from here on the socket's own read timeout bounds the wait for the verdict
      return new Reply(readReply(socket.getInputStream()));
    }
  }

  private Socket connect() throws IOException {
    Socket socket = new Socket();
    try {
      socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
      socket.setSoTimeout((int) readTimeout.toMillis());
      return socket;
    } catch (IOException e) {
      socket.close();
      throw new IOException("clamd at " + host + ":" + port + " is unreachable: " + e.getMessage(), e);
    }
  }

  /** Socket writes have no timeout of their own: close the socket when clamd stops taking bytes. */
  private ScheduledFuture<?> watch(Socket socket, AtomicLong lastProgress, AtomicBoolean cutOff) {
    long limit = readTimeout.toNanos();
    return WATCHDOG.scheduleWithFixedDelay(
        () -> {
          if (System.nanoTime() - lastProgress.get() > limit) {
            cutOff.set(true);
            try {
              socket.close();
            } catch (IOException ignored) {
              // closing is all we wanted
            }
          }
        },
        1,
        1,
        TimeUnit.SECONDS);
  }

  private static void send(Socket socket, String command) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write(command.getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private String tryReadReply(Socket socket) {
    try {
      socket.setSoTimeout(2000);
      String reply = readReply(socket.getInputStream());
      return reply.isEmpty() ? null : reply;
    } catch (IOException e) {
      return null;
    }
  }

  private static String readReply(InputStream in) throws IOException {
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    try {
      int b;
      while ((b = in.read()) > 0) {
        reply.write(b);
      }
    } catch (SocketTimeoutException e) {
      throw new IOException("clamd did not answer in time", e);
    }
    return reply.toString(StandardCharsets.US_ASCII).trim();
  }

  /** One line from clamd: {@code stream: OK}, {@code stream: <name> FOUND} or {@code <message> ERROR}. */
  public record Reply(String line) {
    public boolean isClean() {
      return line.endsWith(" OK");
    }

    public boolean isFound() {
      return line.endsWith(" FOUND");
    }

    public boolean isError() {
      return line.endsWith(" ERROR") || !(isClean() || isFound());
    }

    /** The signature name when FOUND, else the whole line. */
    public String detail() {
      if (isFound()) {
        String withoutSuffix = line.substring(0, line.length() - " FOUND".length());
        int colon = withoutSuffix.indexOf(": ");
        return colon < 0 ? withoutSuffix : withoutSuffix.substring(colon + 2);
      }
      return line;
    }
  }
}
