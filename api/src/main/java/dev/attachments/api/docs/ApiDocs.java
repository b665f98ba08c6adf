package dev.attachments.api.docs;

import io.micronaut.context.annotation.Context;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.swagger.v3.oas.annotations.Hidden;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The OpenAPI 3.1 document micronaut-openapi generated from the controllers at compile time, at
 * {@code /openapi.yml}, and Swagger UI over it at {@code /docs} (its files are static resources
 * under {@code /docs/res}). Neither needs a key.
 */
@Controller
@Context
@Hidden
public class ApiDocs {
  static final String GENERATED = "META-INF/swagger/openapi.yml";
  private static final String YAML = "application/yaml";
  private static final String SCHEMAS = "#/components/schemas/";

  private final String document;

  public ApiDocs() {
    this.document = load();
  }

  @Get(value = "/openapi.yml", produces = YAML)
  public String openapi() {
    return document;
  }

  @Get("/docs")
  public HttpResponse<?> docs() {
    return HttpResponse.permanentRedirect(URI.create("/docs/index.html"));
  }

  static String load() {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(GENERATED)) {
      if (in == null) {
        throw new IllegalStateException(GENERATED + " is missing: the build generates it");
      }
      return mend(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Mends what micronaut-openapi (6.19.3 and 6.20.0) gets wrong in OpenAPI 3.1, so that the
   * document says what the API does:
   *
   * <ul>
   *   <li>it writes a nullable string as {@code type: [string, "null", object]} ({@code
   *       SchemaUtils.setNullable} adds {@code object}, as 3.1 schemas keep their type in a list):
   *       {@code object} goes from every type list that names another type;
   *   <li>it writes a nullable map, list or reference as {@code type: "null"} beside its {@code
   *       additionalProperties}, {@code items} or {@code allOf}, which only null matches: a map or
   *       list becomes {@code [object|array, "null"]}, a reference {@code anyOf} it and null;
   *   <li>it leaks swagger-core's {@code exampleSetFlag} beside each example: removed;
   *   <li>a request body's required field is {@code @Nullable} in its record only so that the API
   *       answers a null with a clear 400 of its own: the document asks for a value.
   * </ul>
   */
  @SuppressWarnings("unchecked")
  static String mend(String yaml) {
    LoaderOptions loading = new LoaderOptions();
    loading.setCodePointLimit(16 * 1024 * 1024);
    Map<String, Object> document = new Yaml(loading).load(yaml);
    mendTypes(document);
    Map<String, Object> schemas =
        (Map<String, Object>)
            ((Map<String, Object>) document.getOrDefault("components", Map.of()))
                .getOrDefault("schemas", Map.of());
    Set<String> requests = new HashSet<>();
    Map<String, Object> paths = (Map<String, Object>) document.getOrDefault("paths", Map.of());
    paths.values().stream()
        .filter(Map.class::isInstance)
        .flatMap(operations -> ((Map<String, Object>) operations).values().stream())
        .filter(Map.class::isInstance)
        .map(operation -> ((Map<String, Object>) operation).get("requestBody"))
        .filter(Objects::nonNull)
        .forEach(body -> references(body, schemas, requests));
    requests.forEach(name -> requireValues((Map<String, Object>) schemas.get(name)));
    DumperOptions dumping = new DumperOptions();
    dumping.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    dumping.setWidth(120);
    return new Yaml(dumping).dump(document);
  }

  @SuppressWarnings("unchecked")
  private static void mendTypes(Object node) {
    if (node instanceof Map<?, ?> any) {
      Map<String, Object> map = (Map<String, Object>) any;
      map.remove("exampleSetFlag");
      if (map.get("type") instanceof List<?> types
          && types.contains("object")
          && types.stream().anyMatch(t -> !"object".equals(t) && !"null".equals(t))) {
        types.remove("object");
      }
      if ("null".equals(map.get("type"))) {
        // a nullable map, list or reference written as "only null"
        if (map.get("allOf") instanceof List<?> all && all.size() == 1) {
          map.remove("type");
          map.remove("allOf");
          map.put(
              "anyOf", new ArrayList<>(List.of(all.get(0), new HashMap<>(Map.of("type", "null")))));
        } else if (map.containsKey("additionalProperties") || map.containsKey("properties")) {
          map.put("type", new ArrayList<>(List.of("object", "null")));
        } else if (map.containsKey("items")) {
          map.put("type", new ArrayList<>(List.of("array", "null")));
        }
      }
      map.values().forEach(ApiDocs::mendTypes);
    } else if (node instanceof List<?> list) {
      list.forEach(ApiDocs::mendTypes);
    }
  }

  /** Collects the component schemas a node refers to, and those they refer to. */
  private static void references(Object node, Map<String, Object> schemas, Set<String> found) {
    if (node instanceof Map<?, ?> map) {
      if (map.get("$ref") instanceof String ref && ref.startsWith(SCHEMAS)) {
        String name = ref.substring(SCHEMAS.length());
        if (found.add(name)) {
          references(schemas.get(name), schemas, found);
        }
      }
      map.values().forEach(value -> references(value, schemas, found));
    } else if (node instanceof List<?> list) {
      list.forEach(value -> references(value, schemas, found));
    }
  }

  @SuppressWarnings("unchecked")
  private static void requireValues(Map<String, Object> schema) {
    if (schema == null || !(schema.get("required") instanceof List<?> required)) {
      return;
    }
    Map<String, Object> properties =
        (Map<String, Object>) schema.getOrDefault("properties", Map.of());
    for (Object name : required) {
      if (properties.get(name) instanceof Map<?, ?> property
          && property.get("type") instanceof List<?> types) {
        types.remove("null");
      }
    }
  }
}
