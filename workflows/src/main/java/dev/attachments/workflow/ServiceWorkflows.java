package dev.attachments.workflow;

import io.temporal.client.BatchRequest;
import io.temporal.client.WorkflowClient;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service's own long-running workflows (recovery, retention): one run each, kept running by
 * whichever app starts, with signal-with-start (starts it when it is not running, signals it when
 * it is).
 */
public final class ServiceWorkflows {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceWorkflows.class);
  private static final Duration MAX_WAIT = Duration.ofMinutes(1);

  private ServiceWorkflows() {}

  /**
   * Runs {@code attempt} (a start, or a signal-with-start, of the workflow) on a thread of its own,
   * again with back-off until it does not throw or {@code stopped} says the app is going away.
   */
  public static void keepRunning(String what, Runnable attempt, BooleanSupplier stopped) {
    Thread thread =
        new Thread(
            () -> {
              for (Duration wait = Duration.ofSeconds(1); !stopped.getAsBoolean(); ) {
                try {
                  attempt.run();
                  return;
                } catch (RuntimeException e) {
                  LOG.warn("could not start the {} workflow; trying again in {}", what, wait, e);
                }
                try {
                  Thread.sleep(wait.toMillis());
                } catch (InterruptedException interrupted) {
                  return;
                }
                wait =
                    wait.multipliedBy(2).compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait.multipliedBy(2);
              }
            },
            what + "-start");
    thread.setDaemon(true);
    thread.start();
  }

  /** {@link #keepRunning} of the signal-with-start that {@code request} adds. */
  public static void signalWithStart(
      WorkflowClient client, String what, Consumer<BatchRequest> request, BooleanSupplier stopped) {
    keepRunning(
        what,
        () -> {
          BatchRequest batch = client.newSignalWithStartRequest();
          request.accept(batch);
          client.signalWithStart(batch);
        },
        stopped);
  }
}
