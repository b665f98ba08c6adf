package dev.attachments.api;

import dev.attachments.tracing.Tracing;
import io.micronaut.runtime.Micronaut;

/** The HTTP API process. */
public class Application {
  public static void main(String[] args) {
    // before any client is built, so that S3, PostgreSQL and Temporal calls join the traces
    Tracing.install("attachments-api");
    Micronaut.build(args).banner(false).mainClass(Application.class).start();
  }
}
