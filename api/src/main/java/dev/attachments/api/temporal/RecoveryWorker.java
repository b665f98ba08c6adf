package dev.attachments.api.temporal;

import dev.attachments.api.ApiSettings;
import dev.attachments.recovery.RecoveryRequest;
import dev.attachments.recovery.RecoveryWorkflow;
import dev.attachments.recovery.RecoveryWorkflowImpl;
import dev.attachments.workflow.ServiceWorkflows;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.event.ShutdownEvent;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowOptions;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's own Temporal worker, for the recovery workflow only: the API is what starts attachment
 * workflows, with its settings, so it carries out the recovery's activity. Every API polls the
 * queue; the one workflow runs on whichever takes the task. At start-up each API makes sure the
 * workflow runs and runs one round itself (rather than wake the workflow for one): a restarted API
 * repairs what it finds even when the workflow's next task is slow to come (on the Java test
 * server, a stopped worker's abandoned polls can swallow the first tasks of the queue).
 */
@Context
public class RecoveryWorker {
  private static final Logger LOG = LoggerFactory.getLogger(RecoveryWorker.class);

  private final WorkflowClient client;
  private final ApiSettings.Temporal temporal;
  private final ApiSettings.Recovery settings;
  private final WorkerFactory factory;
  private final Recovery recovery;

  public RecoveryWorker(
      WorkflowClient client,
      ApiSettings.Temporal temporal,
      ApiSettings.Recovery settings,
      Recovery recovery) {
    this.client = client;
    this.temporal = temporal;
    this.settings = settings;
    this.recovery = recovery;
    // no workflow cache, hence no sticky queue: a dozen events replay in no time, and no task waits
    // on the sticky queue of an API that has stopped
    WorkerFactoryOptions.Builder options =
        WorkerFactoryOptions.newBuilder().setWorkflowCacheSize(0);
    if (dev.attachments.tracing.Tracing.enabled()) {
      options.setWorkerInterceptors(dev.attachments.tracing.Tracing.temporalWorker());
    }
    this.factory = WorkerFactory.newInstance(client, options.build());
    if (!settings.enabled()) {
      return;
    }
    Worker worker = factory.newWorker(temporal.recoveryQueue());
    worker.registerWorkflowImplementationTypes(RecoveryWorkflowImpl.class);
    worker.registerActivitiesImplementations(recovery);
  }

  @EventListener
  void onStartup(StartupEvent event) {
    if (!settings.enabled()) {
      return;
    }
    factory.start();
    Thread round = new Thread(this::roundNow, "recovery-at-start");
    round.setDaemon(true);
    round.start();
    // started when it is not running; not woken when it is: this API has just run a round itself
    ServiceWorkflows.keepRunning(
        "recovery",
        () -> {
          RecoveryWorkflow workflow =
              client.newWorkflowStub(
                  RecoveryWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(RecoveryWorkflow.WORKFLOW_ID)
                      .setTaskQueue(temporal.recoveryQueue())
                      .setWorkflowIdReusePolicy(
                          WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                      .setStaticSummary("Recovery of attachments whose workflow is gone")
                      .setStaticDetails(
                          "Every "
                              + settings.every()
                              + ", pages through the attachments still waiting or in processing"
                              + " and starts again those whose workflow is not running.")
                      .build());
          try {
            WorkflowClient.start(
                workflow::reconcile,
                new RecoveryRequest(settings.every(), settings.pageSize(), null));
          } catch (WorkflowExecutionAlreadyStarted running) {
            // another API started it, or this one before a restart: it carries on
          }
        },
        factory::isShutdown);
  }

  /** The start-up round, in this API, beside the workflow's (both are idempotent). */
  private void roundNow() {
    try {
      int repaired = recovery.roundNow(settings.pageSize());
      LOG.info("start-up recovery round: {} attachments repaired", repaired);
    } catch (RuntimeException e) {
      LOG.warn("the start-up recovery round stopped; the recovery workflow's rounds carry on", e);
    }
  }

  /**
   * Before the database pool and the Temporal client close: a page in progress finishes (or fails)
   * here, and its retry goes to another API at once rather than after the heartbeat timeout.
   */
  @EventListener
  void onShutdown(ShutdownEvent event) {
    factory.shutdown();
    factory.awaitTermination(10, TimeUnit.SECONDS);
  }
}
