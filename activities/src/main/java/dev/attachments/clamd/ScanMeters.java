package dev.attachments.clamd;

import dev.attachments.scan.ScanResult;
import dev.attachments.scan.ScanVerdict;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * Each scan attempt's seconds and bytes, and each verdict by what it found: {@code
 * attachments_scan_duration_seconds}, {@code attachments_scan_size_bytes}, {@code
 * attachments_scan_verdicts_total}.
 */
final class ScanMeters {
  private static final long MIB = 1024 * 1024;

  private final MeterRegistry registry;
  private final DistributionSummary size;

  ScanMeters(MeterRegistry registry) {
    this.registry = registry;
    this.size =
        DistributionSummary.builder("attachments.scan.size")
            .description("bytes clamd read whole, per scan that gave a verdict")
            .baseUnit("bytes")
            .serviceLevelObjectives(
                64 * 1024, MIB, 16 * MIB, 128 * MIB, 512 * MIB, 1024 * MIB, 2048 * MIB)
            .register(registry);
  }

  void scanned(ScanResult result, Duration took) {
    timer(result.verdict().name()).record(took);
    size.record(result.scannedBytes());
    Counter.builder("attachments.scan.verdicts")
        .description("verdicts, by what clamd found")
        .tag("verdict", result.verdict().name())
        .tag("finding", finding(result))
        .register(registry)
        .increment();
  }

  /** An attempt that gave no verdict (clamd down, stale signatures, bytes cut short): retried. */
  void failed(Duration took) {
    timer("none").record(took);
  }

  private Timer timer(String verdict) {
    return Timer.builder("attachments.scan.duration")
        .description("one scan attempt, from the first byte asked of S3 to clamd's answer")
        .tag("verdict", verdict)
        .serviceLevelObjectives(
            Duration.ofMillis(100),
            Duration.ofMillis(250),
            Duration.ofMillis(500),
            Duration.ofSeconds(1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            Duration.ofMinutes(2),
            Duration.ofMinutes(5),
            Duration.ofMinutes(15))
        .register(registry);
  }

  /** A handful of kinds, never the signature's name: that would make a series per virus. */
  static String finding(ScanResult result) {
    if (result.verdict() == ScanVerdict.CLEAN) {
      return "none";
    }
    if (result.verdict() == ScanVerdict.INFECTED) {
      return "signature";
    }
    String why = result.signature() == null ? "" : result.signature();
    if (why.startsWith("Heuristics.Encrypted")) {
      return "encrypted";
    }
    if (why.startsWith("Heuristics.Broken")) {
      return "broken";
    }
    return "limits";
  }
}
