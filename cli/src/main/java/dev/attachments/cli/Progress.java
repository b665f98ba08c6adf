package dev.attachments.cli;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A progress bar on standard error: redrawn in place on a terminal, a line every tenth of the way
 * otherwise (logs, pipes).
 */
final class Progress {
  private static final int WIDTH = 30;

  private final PrintStream out;
  private final String name;
  private final long total;
  private final boolean terminal;
  private final AtomicLong done = new AtomicLong();
  private final long already;
  private final long startedAt = System.nanoTime();
  private long lastDrawn;
  private int lastTenth = -1;

  Progress(PrintStream out, String name, long total, long already, boolean terminal) {
    this.out = out;
    this.name = name;
    this.total = Math.max(1, total);
    this.terminal = terminal;
    this.already = already;
    done.set(already);
  }

  void add(long bytes) {
    done.addAndGet(bytes);
    draw(false);
  }

  /** Undoes what a failed part had counted. */
  void takeBack(long bytes) {
    done.addAndGet(-bytes);
  }

  synchronized void draw(boolean last) {
    long now = System.nanoTime();
    long bytes = done.get();
    int tenth = (int) (bytes * 10 / total);
    if (terminal ? !last && now - lastDrawn < 100_000_000L : tenth == lastTenth) {
      return;
    }
    lastDrawn = now;
    lastTenth = tenth;
    int filled = (int) (bytes * WIDTH / total);
    double seconds = Math.max(0.001, (now - startedAt) / 1e9);
    String line =
        String.format(
            "%s [%s%s] %3d%% %s/%s %s/s",
            name,
            "#".repeat(filled),
            ".".repeat(WIDTH - filled),
            bytes * 100 / total,
            size(bytes),
            size(total),
            size((long) ((bytes - already) / seconds)));
    if (terminal) {
      out.print("\r" + line + (last ? "\n" : ""));
    } else {
      out.println(line);
    }
    out.flush();
  }

  /** Bytes as a person reads them: 512 B, 47.1 KiB, 36.0 MiB, 3.0 GiB. */
  static String size(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes / 1024.0;
    int unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format("%.1f %s", value, units[unit]);
  }
}
