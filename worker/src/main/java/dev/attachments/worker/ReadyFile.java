package dev.attachments.worker;

import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Tells a launcher (./run, the end-to-end tests) that the workers are polling, by writing a file.
 */
@Component
class ReadyFile {
  private final WorkerSettings settings;
  private final WorkerFactory workers;

  ReadyFile(WorkerSettings settings, WorkerFactory workers) {
    this.settings = settings;
    this.workers = workers;
  }

  @EventListener(ApplicationReadyEvent.class)
  void workersStarted() {
    if (settings.readyFile() == null || settings.readyFile().toString().isBlank()) {
      return;
    }
    Thread waiter =
        new Thread(
            () -> {
              try {
                while (!workers.isStarted()) {
                  Thread.sleep(50);
                }
                Files.writeString(settings.readyFile(), "ready\n");
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "ready-file");
    waiter.setDaemon(true);
    waiter.start();
  }
}
