package dev.attachments.stack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's clamd as a child process on a loopback port, with its own configuration and an offline
 * signature database. clamd refuses to start on an empty database and has no built-in EICAR
 * detection, so the stack ships one body signature that finds the EICAR test string anywhere, also
 * inside archives.
 */
public final class LocalClamd implements AutoCloseable {
  /** The 68-byte EICAR anti-virus test string: harmless, and detected by every scanner. */
  public static final String EICAR =
      "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

  private final Process process;
  private final int port;

  private LocalClamd(Process process, int port) {
    this.process = process;
    this.port = port;
  }

  public static LocalClamd start(Path folder) throws IOException, InterruptedException {
    return start(folder, List.of());
  }

  /**
   * @param maxStream clamd's StreamMaxLength and MaxFileSize, e.g. {@code 1M}, to exercise its
   *     limits
   */
  public static LocalClamd start(Path folder, String maxStream)
      throws IOException, InterruptedException {
    return start(folder, List.of("StreamMaxLength " + maxStream, "MaxFileSize " + maxStream));
  }

  /**
   * @param overrides settings that win over {@code clamd-scanning.conf} (clamd keeps the first
   *     value it reads), e.g. {@code MaxFiles 3} to exercise a limit, or {@code AlertEncrypted no}
   *     to be a badly configured clamd
   */
  public static LocalClamd start(Path folder, List<String> overrides)
      throws IOException, InterruptedException {
    Path database = folder.resolve("db");
    Files.createDirectories(database);
    Files.writeString(
        database.resolve("local-eicar.ndb"),
        "Eicar-Test-Signature:0:*:"
            + HexFormat.of().formatHex(EICAR.getBytes(StandardCharsets.US_ASCII))
            + "\n");
    int port = FreePort.pick();
    Path config = folder.resolve("clamd.conf");
    List<String> lines = new ArrayList<>(overrides);
    lines.addAll(
        List.of(
            "Foreground yes",
            "TCPAddr 127.0.0.1",
            "TCPSocket " + port,
            "DatabaseDirectory " + database.toAbsolutePath(),
            "LogFile " + folder.resolve("clamd.log").toAbsolutePath(),
            "LogFileMaxSize 10M",
            "PidFile " + folder.resolve("clamd.pid").toAbsolutePath()));
    lines.addAll(scanningSettings());
    Files.write(config, lines);
    Process process =
        new ProcessBuilder(binary(), "--config-file=" + config.toAbsolutePath())
            .redirectErrorStream(true)
            .redirectOutput(folder.resolve("clamd.out").toFile())
            .start();
    LocalClamd clamd = new LocalClamd(process, port);
    clamd.awaitPong(Duration.ofSeconds(60));
    return clamd;
  }

  /**
   * The limits and alerts every clamd of ours runs with: docker/clamd-scanning.conf, packaged with
   * this class.
   */
  public static List<String> scanningSettings() throws IOException {
    try (InputStream in = LocalClamd.class.getResourceAsStream("/clamd-scanning.conf")) {
      if (in == null) {
        throw new IOException("clamd-scanning.conf is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    }
  }

  /** clamd from PATH or Debian's /usr/sbin, which root's PATH may lack. */
  static String binary() {
    for (String candidate : List.of("/usr/sbin/clamd", "/usr/local/sbin/clamd")) {
      if (Files.isExecutable(Path.of(candidate))) {
        return candidate;
      }
    }
    return "clamd";
  }

  private void awaitPong(Duration timeout) throws InterruptedException, IOException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException(
            "clamd exited with " + process.exitValue() + "; see its clamd.out and clamd.log");
      }
      if (ping()) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IOException("clamd did not answer PING within " + timeout);
  }

  private boolean ping() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(1000);
      OutputStream out = socket.getOutputStream();
      out.write("zPING\0".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      return new String(in.readNBytes(4), StandardCharsets.US_ASCII).equals("PONG");
    } catch (IOException e) {
      return false;
    }
  }

  public long pid() {
    return process.pid();
  }

  public String host() {
    return "127.0.0.1";
  }

  public int port() {
    return port;
  }

  /** Stops clamd where it stands (SIGSTOP): it takes connections and answers nothing. */
  public void freeze() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** Lets a frozen clamd go on (SIGCONT). */
  public void thaw() throws IOException, InterruptedException {
    signal("CONT");
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).start();
    if (kill.waitFor() != 0) {
      throw new IOException("kill -" + name + " " + process.pid() + " failed");
    }
  }

  /** Stops clamd, as when the scanner host goes down. */
  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor();
    }
  }
}
