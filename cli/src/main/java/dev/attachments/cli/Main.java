package dev.attachments.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URLConnection;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code attachments}: upload files to the Attachments API, follow them, download them, delete
 * them.
 */
@Command(
    name = "attachments",
    mixinStandardHelpOptions = true,
    version = "attachments 0.1.0",
    description = "Uploads files to the Attachments API and follows them.",
    subcommands = {
      Main.Upload.class,
      Main.Status.class,
      Main.Download.class,
      Main.ListAttachments.class,
      Main.DeleteAttachments.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done (with --wait: every file RELEASED)",
      "1:the API or S3 refused, or the network failed",
      "2:wrong usage",
      "3:a file was QUARANTINED",
      "4:a file was REJECTED",
      "5:a file ended EXPIRED, FAILED or DELETED",
      "6:--wait gave up before a verdict"
    })
public final class Main {
  static final int REFUSED = 1;
  static final int QUARANTINED = 3;
  static final int REJECTED = 4;
  static final int OTHER_END = 5;
  static final int NO_VERDICT = 6;
  private static final Set<String> UNDER_WAY = Set.of("AWAITING_UPLOAD", "PROCESSING");

  public static void main(String[] args) {
    System.exit(run(args));
  }

  static int run(String... args) {
    return new CommandLine(new Main())
        .setExecutionExceptionHandler(
            (failure, command, parsed) -> {
              command.getErr().println("attachments: " + message(failure));
              return failure instanceof NoVerdict ? NO_VERDICT : REFUSED;
            })
        .execute(args);
  }

  private static String message(Exception failure) {
    return failure.getMessage() == null ? failure.toString() : failure.getMessage();
  }

  /** Where the API is and the credential to call it with. */
  static final class Connection {
    @Option(
        names = "--api",
        defaultValue = "${env:ATTACHMENTS_API:-http://localhost:8080}",
        description = "The API's URL (ATTACHMENTS_API; default: ${DEFAULT-VALUE})")
    String api;

    @Option(
        names = "--key",
        defaultValue = "${env:ATTACHMENTS_KEY}",
        description = "An API key or an upload token (ATTACHMENTS_KEY)")
    String key;

    Api open() {
      if (key == null || key.isBlank()) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "give an API key or upload token: --key or ATTACHMENTS_KEY");
      }
      return new Api(URI.create(api.endsWith("/") ? api : api + "/"), key.strip());
    }
  }

  @Command(name = "upload", description = "Uploads files, in parallel parts when large; resumes.")
  static final class Upload implements Callable<Integer> {
    @Mixin Connection connection;

    @Parameters(arity = "1..*", paramLabel = "FILE")
    List<Path> files;

    @Option(names = "--type", description = "The media type (default: guessed from the name)")
    String type;

    @Option(names = "--parallel", defaultValue = "4", description = "Parts at once (4)")
    int parallel;

    @Option(
        names = "--limit-rate",
        defaultValue = "0",
        description = "At most this many bytes a second (0: no limit)")
    long limitRate;

    @Option(names = "--wait", description = "Wait for each file's verdict; the exit code says it")
    boolean await;

    @Option(
        names = "--wait-timeout",
        defaultValue = "PT10M",
        description = "How long --wait waits (ISO-8601, ${DEFAULT-VALUE})")
    Duration waitTimeout;

    @Override
    public Integer call() throws Exception {
      if (parallel < 1 || parallel > 32) {
        throw new CommandLine.ParameterException(
            new CommandLine(this), "--parallel must be 1 to 32");
      }
      Api api = connection.open();
      Uploader uploader =
          new Uploader(
              api,
              connection.api,
              Resumes.inUserCache(),
              parallel,
              limitRate,
              System.console() != null);
      int exit = 0;
      for (Path file : files) {
        if (!Files.isRegularFile(file)) {
          throw new CommandLine.ParameterException(new CommandLine(this), file + " is not a file");
        }
        String id = uploader.upload(file, type == null ? guessType(file) : type);
        String status = "COMPLETED";
        if (await) {
          JsonNode attachment = awaitVerdict(api, id, waitTimeout);
          status = attachment.get("status").asText();
          exit = Math.max(exit, exitCode(status));
        }
        System.out.println(id + " " + status + " " + file.getFileName());
      }
      return exit;
    }
  }

  @Command(name = "status", description = "Prints attachments' status (--json: all of it).")
  static final class Status implements Callable<Integer> {
    @Mixin Connection connection;

    @Parameters(arity = "1..*", paramLabel = "ID")
    List<String> ids;

    @Option(names = "--json", description = "Print the whole attachment as JSON")
    boolean json;

    @Option(names = "--wait", description = "Wait for the verdict; the exit code says it")
    boolean await;

    @Option(names = "--wait-timeout", defaultValue = "PT10M")
    Duration waitTimeout;

    @Override
    public Integer call() throws Exception {
      Api api = connection.open();
      int exit = 0;
      for (String id : ids) {
        JsonNode attachment =
            await ? awaitVerdict(api, id, waitTimeout) : api.get("/v1/attachments/" + path(id));
        String status = attachment.get("status").asText();
        System.out.println(
            json
                ? Api.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(attachment)
                : line(attachment));
        exit = Math.max(exit, await ? exitCode(status) : 0);
      }
      return exit;
    }
  }

  @Command(name = "download", description = "Downloads a RELEASED attachment.")
  static final class Download implements Callable<Integer> {
    @Mixin Connection connection;

    @Parameters(paramLabel = "ID")
    String id;

    @Option(
        names = {"-o", "--output"},
        description = "Where to write it (default: its name, here; never over a file)")
    Path output;

    @Override
    public Integer call() throws Exception {
      Api api = connection.open();
      JsonNode attachment = api.get("/v1/attachments/" + path(id));
      JsonNode link = api.get("/v1/attachments/" + path(id) + "/download");
      // only the name's last part, never a path the server (or whoever named the file) chose
      Path target =
          output != null
              ? output
              : Path.of(Path.of(attachment.get("filename").asText()).getFileName().toString());
      if (Files.exists(target)) {
        throw new Api.Refused(0, target + " exists: give another --output");
      }
      HttpResponse<Path> response =
          api.http()
              .send(
                  HttpRequest.newBuilder(URI.create(link.get("url").asText())).build(),
                  HttpResponse.BodyHandlers.ofFile(
                      target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
      if (response.statusCode() != 200) {
        Files.deleteIfExists(target);
        throw new Api.Refused(response.statusCode(), "S3 answered " + response.statusCode());
      }
      System.out.println(target);
      return 0;
    }
  }

  @Command(name = "list", description = "Lists the newest attachments.")
  static final class ListAttachments implements Callable<Integer> {
    @Mixin Connection connection;

    @Option(names = "--status", description = "Only those in this status")
    String status;

    @Option(names = "--limit", defaultValue = "20", description = "How many (1-100, 20)")
    int limit;

    @Override
    public Integer call() throws Exception {
      Api api = connection.open();
      String query = "?limit=" + limit + (status == null ? "" : "&status=" + path(status));
      for (JsonNode attachment : api.get("/v1/attachments" + query).get("items")) {
        System.out.println(line(attachment));
      }
      return 0;
    }
  }

  @Command(
      name = "delete",
      description =
          "Deletes attachments (API key only): an upload under way is cancelled, a file deleted"
              + " with its previews. Harmless to repeat.")
  static final class DeleteAttachments implements Callable<Integer> {
    @Mixin Connection connection;

    @Parameters(arity = "1..*", paramLabel = "ID")
    List<String> ids;

    @Override
    public Integer call() throws Exception {
      Api api = connection.open();
      for (String id : ids) {
        System.out.println(line(api.delete("/v1/attachments/" + path(id))));
      }
      return 0;
    }
  }

  static JsonNode awaitVerdict(Api api, String id, Duration timeout) throws Exception {
    Instant giveUp = Instant.now().plus(timeout);
    while (true) {
      JsonNode attachment = api.get("/v1/attachments/" + path(id));
      if (!UNDER_WAY.contains(attachment.get("status").asText())) {
        return attachment;
      }
      if (Instant.now().isAfter(giveUp)) {
        throw new NoVerdict(id + ": no verdict within " + timeout);
      }
      Thread.sleep(500);
    }
  }

  /** --wait ran out of time. */
  static final class NoVerdict extends RuntimeException {
    NoVerdict(String message) {
      super(message);
    }
  }

  static int exitCode(String status) {
    return switch (status) {
      case "RELEASED" -> 0;
      case "QUARANTINED" -> QUARANTINED;
      case "REJECTED" -> REJECTED;
      default -> OTHER_END;
    };
  }

  private static String line(JsonNode attachment) {
    JsonNode scan = attachment.path("scan");
    return String.join(
        " ",
        attachment.get("id").asText(),
        attachment.get("status").asText(),
        attachment.get("filename").asText(),
        attachment.path("size").asText(),
        scan.path("verdict").asText("-"),
        scan.path("signature").isNull() || scan.path("signature").isMissingNode()
            ? ""
            : scan.path("signature").asText());
  }

  private static String path(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static String guessType(Path file) {
    String guessed = URLConnection.guessContentTypeFromName(file.getFileName().toString());
    return guessed == null ? "application/octet-stream" : guessed;
  }
}
