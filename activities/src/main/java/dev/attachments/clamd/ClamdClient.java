package dev.attachments.clamd;

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
 * clamd's INSTREAM protocol with connect and read timeouts, and a watchdog for a clamd that stops
 * reading. We own these hundred lines because the Java clients on Maven Central either have no
 * timeouts at all or a fixed one that breaks honest large scans (see the README).
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

  /** How often a caller waiting for a verdict hears that the scan is still on. */
  private static final Duration WAIT_SLICE = Duration.ofSeconds(5);

  /**
   * @param readTimeout longest silence allowed: while sending, clamd not taking bytes; after, clamd
   *     not answering
   */
  public ClamdClient(
      String host, int port, Duration connectTimeout, Duration readTimeout, int chunkSize) {
    this.host = host;
    this.port = port;
    this.connectTimeout = connectTimeout;
    this.readTimeout = readTimeout;
    this.chunkSize = chunkSize;
  }

  /** The same clamd, allowed only {@code readTimeout} of silence: for questions, not scans. */
  public ClamdClient answeringWithin(Duration readTimeout) {
    return new ClamdClient(host, port, connectTimeout, readTimeout, chunkSize);
  }

  /** clamd's version line, e.g. {@code ClamAV 1.4.6/27000/Tue Nov 24 09:00:00 2026}. */
  public String version() throws IOException {
    try (Socket socket = connect()) {
      send(socket, "zVERSION\0");
      return readReply(socket.getInputStream());
    }
  }

  /**
   * Announces a stream of {@code length} bytes, sends none, and answers clamd's reply within {@code
   * wait}, or null when it said nothing: clamd refuses a chunk past its StreamMaxLength the moment
   * it reads its length, so this tells its limit without streaming gigabytes.
   */
  public String announceStream(long length, Duration wait) throws IOException {
    try (Socket socket = connect()) {
      OutputStream out = socket.getOutputStream();
      out.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
      out.write(ByteBuffer.allocate(4).putInt((int) length).array());
      out.flush();
      socket.setSoTimeout((int) wait.toMillis());
      try {
        return readReply(socket.getInputStream());
      } catch (IOException silent) {
        return null;
      }
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
      long sent = 0;
      try {
        OutputStream out = socket.getOutputStream();
        out.write("zINSTREAM\0".getBytes(StandardCharsets.US_ASCII));
        byte[] buffer = new byte[chunkSize];
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
        // clamd hangs up on a stream over its StreamMaxLength, after saying so: read that if it is
        // there
        String reply = tryReadReply(socket);
        if (reply == null) {
          throw sendFailed;
        }
        return new Reply(reply);
      } finally {
        watchdog.cancel(false);
      }
      // clamd works after the last byte (a large archive can take minutes): keep telling the caller
      // we live
      long total = sent;
      return new Reply(awaitReply(socket, () -> progress.accept(total)));
    }
  }

  /**
   * Waits up to the read timeout for the verdict, calling {@code alive} every few seconds
   * meanwhile.
   */
  private String awaitReply(Socket socket, Runnable alive) throws IOException {
    long deadline = System.nanoTime() + readTimeout.toNanos();
    socket.setSoTimeout((int) Math.min(readTimeout.toMillis(), WAIT_SLICE.toMillis()));
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream reply = new ByteArrayOutputStream();
    while (true) {
      try {
        return readReply(in, reply);
      } catch (SocketTimeoutException slice) {
        if (System.nanoTime() > deadline) {
          throw new IOException("clamd did not answer within " + readTimeout, slice);
        }
        alive.run();
      }
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
      throw new IOException(
          "clamd at " + host + ":" + port + " is unreachable: " + e.getMessage(), e);
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
    try {
      return readReply(in, new ByteArrayOutputStream());
    } catch (SocketTimeoutException e) {
      throw new IOException("clamd did not answer in time", e);
    }
  }

  /**
   * One reply, up to the NUL that ends it (z-commands). A connection that closes before it is no
   * reply at all: clamd died or was cut off mid-sentence, and what it said so far must not be read
   * as a verdict.
   */
  private static String readReply(InputStream in, ByteArrayOutputStream reply) throws IOException {
    int b;
    while ((b = in.read()) > 0) {
      reply.write(b);
    }
    String text = reply.toString(StandardCharsets.US_ASCII).trim();
    if (b < 0) {
      throw new IOException(
          text.isEmpty()
              ? "clamd closed the connection without a reply"
              : "clamd closed the connection mid-reply: '" + text + "'");
    }
    return text;
  }

  /**
   * One line from clamd: {@code stream: OK}, {@code stream: <name> FOUND} or {@code <message>
   * ERROR}.
   */
  public record Reply(String line) {
    public boolean isClean() {
      return line.equals("stream: OK");
    }

    public boolean isFound() {
      return line.startsWith("stream: ") && line.endsWith(" FOUND");
    }

    /** clamd refused the stream for its length (StreamMaxLength): an answer about the file. */
    public boolean isStreamTooLong() {
      return line.endsWith(" ERROR") && line.contains("size limit exceeded");
    }

    public boolean isError() {
      return !(isClean() || isFound());
    }

    /** The signature name when FOUND, else the whole line. */
    public String detail() {
      if (isFound()) {
        return line.substring("stream: ".length(), line.length() - " FOUND".length());
      }
      return line;
    }
  }
}
