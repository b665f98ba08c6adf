package dev.attachments.redaction;

import ch.qos.logback.classic.pattern.ThrowableProxyConverter;
import ch.qos.logback.classic.spi.IThrowableProxy;

/**
 * Logback's {@code %ex}, messages and causes scrubbed of credentials: {@code %redactedEx} in the
 * log patterns.
 */
public final class RedactedThrowable extends ThrowableProxyConverter {
  @Override
  protected String throwableProxyToString(IThrowableProxy throwable) {
    return Redaction.scrub(super.throwableProxyToString(throwable));
  }
}
