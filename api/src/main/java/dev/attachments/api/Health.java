package dev.attachments.api;

import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.serde.annotation.Serdeable;

/** Liveness for launchers and load balancers; needs no key. */
@Controller("/health")
public class Health {
  @Serdeable
  public record Status(String status) {}

  @Get
  public Status health() {
    return new Status("UP");
  }
}
