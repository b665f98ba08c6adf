package dev.attachments.thumbnails;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;

/**
 * Runs {@link Thumbnails} in a child JVM: its own heap ({@link #HEAP}, and it exits rather than
 * struggle when that is full), one CPU's worth of threads at a lower priority (nice 10), and killed
 * with anything it started at the deadline. The worker's scans and the other owners' previews do
 * not share its memory, and a render that never ends leaves no thread behind.
 */
final class RenderProcess {
  /** Heap of one render; a thumbnail needs far less, a hostile file gets no more. */
  static final String HEAP = "256m";

  /** The exit status of a JVM that ran out of heap with {@code ExitOnOutOfMemoryError}. */
  private static final int OUT_OF_MEMORY = 3;

  private static final String SPRING_BOOT_LAUNCHER =
      "org.springframework.boot.loader.launch.PropertiesLauncher";

  private RenderProcess() {}

  /**
   * @return the JPEG's bytes
   * @throws LocalOptimizer.Unpreviewable when the file cannot be previewed in the time and memory a
   *     preview has
   */
  static byte[] render(String kind, Path source, long maxPixels, Duration deadline)
      throws IOException, InterruptedException, LocalOptimizer.Unpreviewable {
    Path target = Files.createTempFile("preview", ".jpg");
    Path errors = Files.createTempFile("preview", ".err");
    try {
      List<String> command = new ArrayList<>();
      if (Files.isExecutable(Path.of("/usr/bin/nice"))) {
        command.addAll(List.of("/usr/bin/nice", "-n", "10"));
      }
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.addAll(
          List.of(
              "-Xmx" + HEAP,
              "-XX:MaxMetaspaceSize=128m",
              "-XX:MaxDirectMemorySize=64m",
              "-XX:+ExitOnOutOfMemoryError",
              "-XX:ActiveProcessorCount=1",
              "-XX:+UseSerialGC",
              "-XX:TieredStopAtLevel=1",
              "-Djava.awt.headless=true"));
      command.addAll(mainClass());
      command.addAll(List.of(kind, source.toString(), target.toString(), Long.toString(maxPixels)));
      ProcessBuilder builder = new ProcessBuilder(command);
      // the worker's environment holds its secrets (S3 key, database password): a process that
      // parses hostile files gets none of it
      builder.environment().clear();
      Process process =
          builder
              .redirectErrorStream(false)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .redirectError(errors.toFile())
              .start();
      boolean exited;
      try {
        exited = process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS);
      } finally {
        kill(process); // at the deadline, or when this thread is interrupted
      }
      if (!exited) {
        throw new LocalOptimizer.Unpreviewable("making the preview took longer than " + deadline);
      }
      return switch (process.exitValue()) {
        case 0 -> Files.readAllBytes(target);
        case Thumbnails.UNPREVIEWABLE -> throw new LocalOptimizer.Unpreviewable(lastLine(errors));
        case OUT_OF_MEMORY ->
            throw new LocalOptimizer.Unpreviewable(
                "the file needs more memory to render than a preview has (" + HEAP + ")");
        default ->
            throw new IOException(
                "the preview process exited with " + process.exitValue() + ": " + lastLine(errors));
      };
    } finally {
      Files.deleteIfExists(target);
      Files.deleteIfExists(errors);
    }
  }

  /**
   * The process and every process it started, forcibly, and waits (a few seconds at most) until
   * they are gone: none of them outlives its deadline.
   */
  static void kill(Process process) throws InterruptedException {
    if (!process.isAlive()) {
      // what it started has lost its parent already and cannot be found as its descendants; and
      // finding them reads the stat of every process on the machine (a few hundred files)
      return;
    }
    List<ProcessHandle> children = process.descendants().toList(); // before they lose their parent
    process.destroyForcibly();
    children.forEach(ProcessHandle::destroyForcibly);
    process.waitFor(5, TimeUnit.SECONDS);
    for (ProcessHandle child : children) {
      try {
        child.onExit().get(5, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
        // not ours to reap: it has been sent SIGKILL
      }
    }
  }

  /**
   * How to name {@link Thumbnails} on the command line: on the worker's own class path, or, in the
   * Spring Boot jar the worker runs from, through that jar's launcher.
   */
  private static List<String> mainClass() throws IOException {
    String classPath = System.getProperty("java.class.path");
    if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
      try (JarFile jar = new JarFile(classPath)) {
        if (jar.getEntry("BOOT-INF/lib/") != null || jar.getEntry("BOOT-INF/classes/") != null) {
          return List.of(
              "-Dloader.main=" + Thumbnails.class.getName(),
              "-cp",
              classPath,
              SPRING_BOOT_LAUNCHER);
        }
      }
    }
    return List.of("-cp", classPath, Thumbnails.class.getName());
  }

  private static String lastLine(Path errors) throws IOException {
    List<String> lines = Files.readAllLines(errors, StandardCharsets.UTF_8);
    for (int i = lines.size() - 1; i >= 0; i--) {
      if (!lines.get(i).isBlank()) {
        String line = lines.get(i).strip();
        return line.length() > 500 ? line.substring(0, 500) : line;
      }
    }
    return "no reason given";
  }
}
