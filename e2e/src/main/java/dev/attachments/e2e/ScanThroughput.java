package dev.attachments.e2e;

import dev.attachments.clamd.ClamdClient;
import dev.attachments.clamd.ClamdScanner;
import dev.attachments.s3.Buckets;
import dev.attachments.scan.ScanResult;
import dev.attachments.scan.ScanVerdict;
import dev.attachments.scan.ScannerActivities;
import dev.attachments.stack.LocalClamd;
import dev.attachments.stack.LocalS3;
import dev.attachments.storage.S3Connection;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Benchmark, not a test (P1 of the README's table): MiB per second that the worker's scan gets out
 * of clamd, from the object in S3 to the verdict (SHA-256 and the type sniff on the same pass),
 * against {@code clamdscan --stream} sending the same bytes from a local file to the same clamd,
 * each the median of a few runs side by side. Run from the repository root after packaging: {@code
 * mvn -q -B -pl e2e exec:java -Dexec.mainClass=dev.attachments.e2e.ScanThroughput
 * [-Dexec.args="536870912 3"]}; needs Debian's clamdscan.
 */
public final class ScanThroughput {
  private static final Buckets BUCKETS = new Buckets("incoming", "released", "quarantine");

  public static void main(String[] args) throws Exception {
    long size = args.length > 0 ? Long.parseLong(args[0]) : 512L * 1024 * 1024;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    Path folder = Files.createTempDirectory("attachments-scan-bench");
    Path file = folder.resolve("content.bin");
    write(file, size);
    try (LocalS3 s3 =
            LocalS3.start(
                folder.resolve("s3"),
                "bench",
                "bench-secret",
                List.of(BUCKETS.incoming(), BUCKETS.released(), BUCKETS.quarantine()));
        LocalClamd clamd = LocalClamd.start(Files.createDirectories(folder.resolve("clamd")));
        S3Client client =
            S3Connection.of(
                    s3.endpoint().toString(),
                    null,
                    LocalS3.REGION,
                    "bench",
                    "bench-secret",
                    false,
                    false)
                .client()) {
      TestActivityEnvironment activities = TestActivityEnvironment.newInstance();
      String key = "bench/content";
      String etag =
          client
              .putObject(b -> b.bucket(BUCKETS.quarantine()).key(key), RequestBody.fromFile(file))
              .eTag();
      activities.registerActivitiesImplementations(
          new ClamdScanner(
              client,
              BUCKETS,
              new ClamdClient(
                  clamd.host(),
                  clamd.port(),
                  Duration.ofSeconds(2),
                  Duration.ofMinutes(5),
                  1024 * 1024),
              2047L * 1024 * 1024,
              null,
              new SimpleMeterRegistry()));
      ScannerActivities scanner =
          activities.newActivityStub(
              ScannerActivities.class,
              ActivityOptions.newBuilder()
                  .setStartToCloseTimeout(Duration.ofMinutes(30))
                  .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                  .build());
      // clamdscan sends no more of a file than its own StreamMaxLength (100 MiB unless told) and
      // says OK on what it sent: without clamd's limits it scans a fifth of 512 MiB and looks five
      // times as fast
      Path clamdscanConfig = folder.resolve("clamdscan.conf");
      List<String> clamdscanSettings =
          new ArrayList<>(List.of("TCPAddr " + clamd.host(), "TCPSocket " + clamd.port()));
      clamdscanSettings.addAll(LocalClamd.scanningSettings());
      Files.write(clamdscanConfig, clamdscanSettings);

      ClamdClient direct =
          new ClamdClient(
              clamd.host(),
              clamd.port(),
              Duration.ofSeconds(2),
              Duration.ofMinutes(5),
              1024 * 1024);
      List<Double> ours = new ArrayList<>();
      List<Double> anchor = new ArrayList<>();
      List<Double> getAlone = new ArrayList<>();
      List<Double> clientAlone = new ArrayList<>();
      for (int round = 0; round < rounds + 1; round++) {
        long started = System.nanoTime();
        ScanResult result = scanner.scanHeld(key, etag);
        double worker = (System.nanoTime() - started) / 1e9;
        if (result.verdict() != ScanVerdict.INFECTED || result.scannedBytes() != size) {
          throw new IllegalStateException("the scan said " + result);
        }
        started = System.nanoTime();
        clamdscan(clamdscanConfig, file);
        double reference = (System.nanoTime() - started) / 1e9;
        // where the worker's time goes: the object read from S3 alone, and our clamd client
        // sending the local file
        started = System.nanoTime();
        try (InputStream object =
            client.getObject(b -> b.bucket(BUCKETS.quarantine()).key(key).ifMatch(etag))) {
          object.transferTo(OutputStream.nullOutputStream());
        }
        double get = (System.nanoTime() - started) / 1e9;
        started = System.nanoTime();
        try (InputStream local = Files.newInputStream(file)) {
          if (!direct.scan(local, sent -> {}).isFound()) {
            throw new IllegalStateException("clamd did not find the EICAR at the end");
          }
        }
        double sending = (System.nanoTime() - started) / 1e9;
        if (round == 0) {
          continue; // warms the JVM, clamd and the page cache
        }
        ours.add(worker);
        anchor.add(reference);
        getAlone.add(get);
        clientAlone.add(sending);
      }
      double mib = size / (1024.0 * 1024.0);
      double oursRate = mib / median(ours);
      double anchorRate = mib / median(anchor);
      System.out.printf(
          "P1 scan, %.0f MiB: worker (S3 -> clamd, SHA-256, sniff) %.1f MiB/s (median of %d, %.2f s);"
              + " clamdscan --stream %.1f MiB/s (%.2f s); ratio %.2f; each found the EICAR in"
              + " the last bytes%n",
          mib, oursRate, rounds, median(ours), anchorRate, median(anchor), oursRate / anchorRate);
      System.out.printf(
          "P1 where the time goes: S3 GET alone %.1f MiB/s; our clamd client from the local file %.1f"
              + " MiB/s%n",
          mib / median(getAlone), mib / median(clientAlone));
      activities.close();
    }
    // the activity environment leaves a timer thread per scan that keeps exec:java waiting
    System.exit(0);
  }

  private static void clamdscan(Path config, Path file) throws IOException, InterruptedException {
    Process process =
        new ProcessBuilder(
                "clamdscan",
                "--stream",
                "--no-summary",
                "--config-file=" + config.toAbsolutePath(),
                file.toAbsolutePath().toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(process.getInputStream().readAllBytes()).trim();
    // exit status 1: something found
    if (process.waitFor() != 1 || !output.endsWith("FOUND")) {
      throw new IllegalStateException("clamdscan said: " + output);
    }
  }

  /**
   * Bytes clamd reads as data, not as a format it unpacks, so both sides scan the same way; they
   * end in the EICAR string, so a side that says FOUND sent the file whole.
   */
  private static void write(Path file, long size) throws IOException {
    Random random = new Random(16);
    byte[] block = new byte[1024 * 1024];
    byte[] eicar = LocalClamd.EICAR.getBytes(StandardCharsets.US_ASCII);
    long body = size - eicar.length;
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < body; written += block.length) {
        random.nextBytes(block);
        out.write(block, 0, (int) Math.min(block.length, body - written));
      }
      out.write(eicar);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  private ScanThroughput() {}
}
