package dev.attachments.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.attachments.access.AccessKeys;
import dev.attachments.stack.EmbeddedStack;
import dev.attachments.stack.FreePort;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Schemathesis, a property-based tester, against the running API from its own {@code /openapi.yml}:
 * examples, boundary values and random requests, valid and not, for every operation. It passes when
 * no answer is a 5xx and every answer (status, content type, headers, body) is one the document
 * describes. Owners' operations run with an owner's key, operators' with an operator's.
 */
class ApiSchemaEndToEndTest {
  private static final AccessKeys.Minted ACME = AccessKeys.mint("acme");
  private static final AccessKeys.Minted OPERATOR = AccessKeys.mint("operator");
  private static final List<String> CHECKS =
      List.of(
          "not_a_server_error",
          "status_code_conformance",
          "content_type_conformance",
          "response_headers_conformance",
          "response_schema_conformance");

  private static EmbeddedStack stack;
  private static Path data;

  @BeforeAll
  static void start() throws Exception {
    data = Files.createTempDirectory("attachments-schema");
    stack =
        EmbeddedStack.start(
            new EmbeddedStack.Options(
                Path.of("").toAbsolutePath(),
                data,
                FreePort.pick(),
                ACME.entry(),
                Map.of("ATTACHMENTS_OPS_KEYS", OPERATOR.entry())));
  }

  @AfterAll
  static void stop() {
    if (stack != null) {
      stack.close();
    }
  }

  @Test
  void everyOwnerOperationAnswersAsTheDocumentSays() throws Exception {
    schemathesis("owners", ACME.key(), "--exclude-tag", "operators");
  }

  @Test
  void everyOperatorOperationAnswersAsTheDocumentSays() throws Exception {
    schemathesis("operators", OPERATOR.key(), "--include-tag", "operators");
  }

  /** With an upload token, most calls are refused: each refusal as documented, none a 5xx. */
  @Test
  void everyOperationAnswersAnUploadTokenAsTheDocumentSays() throws Exception {
    HttpResponse<String> minted =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(stack.apiUrl().resolve("/v1/upload-tokens"))
                    .header("Authorization", "Bearer " + ACME.key())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"maxUploads\":100}"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(minted.statusCode()).as(minted.body()).isEqualTo(201);
    String token = new ObjectMapper().readTree(minted.body()).get("token").asText();
    schemathesis("upload-token", token, "--exclude-tag", "operators");
  }

  private static void schemathesis(String name, String key, String... filter) throws Exception {
    Path repository = Path.of("").toAbsolutePath();
    // its messages into a file, never inherited: the test JVM's own streams are surefire's channel
    Path installing = data.resolve("schemathesis-install.log");
    Process install =
        new ProcessBuilder(repository.resolve("scripts/schemathesis").toString())
            .redirectError(installing.toFile())
            .start();
    String binary = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(install.waitFor()).as(Files.readString(installing)).isZero();

    Path report = data.resolve("schemathesis-" + name);
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            binary.strip(),
            "run",
            stack.apiUrl().resolve("/openapi.yml").toString(),
            "--checks",
            String.join(",", CHECKS),
            "--header",
            "Authorization: Bearer " + key,
            "--max-examples",
            "25",
            "--seed",
            "15",
            // one worker: CPython 3.11's ast.parse, which hypothesis calls, is not safe across
            // threads ("AST constructor recursion depth mismatch", seen once in CI with two)
            "--workers",
            "1",
            "--no-color",
            "--generation-database",
            "none",
            "--report",
            "junit",
            "--report-dir",
            report.toString()));
    command.addAll(List.of(filter));
    Process run =
        new ProcessBuilder(command)
            .directory(data.toFile())
            .redirectErrorStream(true)
            .redirectOutput(data.resolve("schemathesis-" + name + ".log").toFile())
            .start();
    assertThat(run.waitFor(5, TimeUnit.MINUTES)).as("schemathesis finished").isTrue();
    String output = Files.readString(data.resolve("schemathesis-" + name + ".log"));
    System.out.println(output);
    assertThat(run.exitValue()).as(output).isZero();
  }
}
