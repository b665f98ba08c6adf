package dev.attachments.api;

import io.micronaut.runtime.Micronaut;

/** The HTTP API process. */
public class Application {
  public static void main(String[] args) {
    Micronaut.build(args).banner(false).mainClass(Application.class).start();
  }
}
