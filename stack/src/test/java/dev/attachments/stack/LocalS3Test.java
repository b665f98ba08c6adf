package dev.attachments.stack;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * The embedded S3 takes part uploads the way common clients send them, as AWS does: curl's {@code
 * --data-binary} and Python's urllib add {@code Content-Type: application/x-www-form-urlencoded} to
 * a PUT whose signature does not cover the type. The clients themselves run here, not an imitation
 * of their headers.
 */
class LocalS3Test {
  private static final String BUCKET = "incoming";

  @TempDir static Path folder;
  private static LocalS3 s3;
  private static S3Client client;
  private static S3Presigner presigner;

  @BeforeAll
  static void start() throws Exception {
    s3 = LocalS3.start(folder.resolve("s3"), "local-access", "local-secret-key", List.of(BUCKET));
    var credentials =
        StaticCredentialsProvider.create(
            AwsBasicCredentials.create(s3.accessKey(), s3.secretKey()));
    var pathStyle = S3Configuration.builder().pathStyleAccessEnabled(true).build();
    client =
        S3Client.builder()
            .endpointOverride(s3.endpoint())
            .region(Region.of(LocalS3.REGION))
            .credentialsProvider(credentials)
            .serviceConfiguration(pathStyle)
            .build();
    presigner =
        S3Presigner.builder()
            .endpointOverride(s3.endpoint())
            .region(Region.of(LocalS3.REGION))
            .credentialsProvider(credentials)
            .serviceConfiguration(pathStyle)
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    presigner.close();
    client.close();
    s3.close();
  }

  /**
   * How each client sends a part: the body file, then the presigned URL, are its last arguments.
   */
  enum PartClient {
    // curl adds Content-Type: application/x-www-form-urlencoded to --data-binary
    CURL(
        "curl",
        "-sS",
        "--fail-with-body",
        "-X",
        "PUT",
        "-D",
        "-",
        "-o",
        "/dev/null",
        "--data-binary"),
    // urllib adds the same type to any request with data
    PYTHON_URLLIB(
        "python3",
        "-c",
        "import sys, urllib.request as u\n"
            + "r = u.urlopen(u.Request(sys.argv[2], data=open(sys.argv[1], 'rb').read(),"
            + " method='PUT'))\n"
            + "print('ETag: ' + r.headers['ETag'])");

    private final List<String> command;

    PartClient(String... command) {
      this.command = List.of(command);
    }

    List<String> command(Path body, URI url) {
      List<String> all = new ArrayList<>(command);
      all.add(this == CURL ? "@" + body : body.toString());
      all.add(url.toString());
      return all;
    }
  }

  @ParameterizedTest
  @EnumSource(PartClient.class)
  void aPartSentAsAFormIsStoredAsItsBytes(PartClient partClient) throws Exception {
    String key = "form-part-" + partClient;
    String uploadId = client.createMultipartUpload(b -> b.bucket(BUCKET).key(key)).uploadId();
    // a body that parses as a form, to tell a parsed body from the bytes sent
    byte[] body = "a=1&b=2&c=%zz&=&&".repeat(100).getBytes(StandardCharsets.US_ASCII);
    Path file = Files.write(folder.resolve(key), body);
    URI url = partUrl(key, uploadId, body.length);

    Process process =
        new ProcessBuilder(partClient.command(file, url)).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor()).as(output).isZero();

    String etag =
        output
            .lines()
            .filter(line -> line.regionMatches(true, 0, "ETag:", 0, 5))
            .map(line -> line.substring(5).trim())
            .findFirst()
            .orElseThrow();
    client.completeMultipartUpload(
        b ->
            b.bucket(BUCKET)
                .key(key)
                .uploadId(uploadId)
                .multipartUpload(m -> m.parts(p -> p.partNumber(1).eTag(etag))));
    ResponseBytes<GetObjectResponse> stored =
        client.getObjectAsBytes(b -> b.bucket(BUCKET).key(key));
    assertThat(stored.asByteArray()).isEqualTo(body);
  }

  private static URI partUrl(String key, String uploadId, long size) throws Exception {
    return presigner
        .presignUploadPart(
            p ->
                p.signatureDuration(Duration.ofMinutes(5))
                    .uploadPartRequest(
                        r ->
                            r.bucket(BUCKET)
                                .key(key)
                                .uploadId(uploadId)
                                .partNumber(1)
                                .contentLength(size)))
        .url()
        .toURI();
  }
}
