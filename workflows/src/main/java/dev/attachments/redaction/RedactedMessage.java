package dev.attachments.redaction;

import ch.qos.logback.classic.pattern.MessageConverter;
import ch.qos.logback.classic.spi.ILoggingEvent;

/**
 * Logback's {@code %msg}, scrubbed of credentials: the apps' log patterns write {@code
 * %redactedMsg}.
 */
public final class RedactedMessage extends MessageConverter {
  @Override
  public String convert(ILoggingEvent event) {
    return Redaction.scrub(super.convert(event));
  }
}
