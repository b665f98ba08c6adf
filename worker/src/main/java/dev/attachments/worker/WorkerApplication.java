package dev.attachments.worker;

import dev.attachments.tracing.Tracing;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/** The worker process: runs attachment workflows and their activities on the three task queues. */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class WorkerApplication {
  public static void main(String[] args) {
    // before any client is built, so that S3 and Temporal calls join the traces
    Tracing.install("attachments-worker");
    SpringApplication.run(WorkerApplication.class, args);
  }
}
