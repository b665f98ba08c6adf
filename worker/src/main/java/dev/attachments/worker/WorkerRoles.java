package dev.attachments.worker;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.env.EnvironmentPostProcessor;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.Environment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Which task queues this worker process serves ({@code ATTACHMENTS_WORKER_ROLES}, all three by
 * default), so that a deployment can run and scale a worker per queue: {@code main} (the
 * attachment, retention and webhook workflows, the storage, publication and delivery activities, on
 * the main and webhook queues), {@code scan} (clamd's, beside a clamd) and {@code media}
 * (previews). A bean of one role exists only in a process that has it; the workflows are discovered
 * only where {@code main} is.
 */
final class WorkerRoles {
  static final String PROPERTY = "attachments.roles";
  static final Set<String> ALL = Set.of("main", "scan", "media");

  private WorkerRoles() {}

  static Set<String> of(Environment environment) {
    String roles = environment.getProperty(PROPERTY, String.join(",", ALL));
    Set<String> parsed =
        Arrays.stream(roles.split(","))
            .map(role -> role.trim().toLowerCase(Locale.ROOT))
            .filter(role -> !role.isEmpty())
            .collect(Collectors.toSet());
    if (parsed.isEmpty() || !ALL.containsAll(parsed)) {
      throw new IllegalArgumentException(
          "ATTACHMENTS_WORKER_ROLES is '"
              + roles
              + "': give one or more of main, scan, media, separated by commas");
    }
    return parsed;
  }

  /** The bean exists only in a worker with this role. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.TYPE, ElementType.METHOD})
  @Conditional(HasRole.class)
  @interface Serving {
    String value();
  }

  static final class HasRole implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      Map<String, Object> attributes = metadata.getAnnotationAttributes(Serving.class.getName());
      return attributes != null && of(context.getEnvironment()).contains(attributes.get("value"));
    }
  }

  /**
   * Without the main role no workflow is discovered: the starter is pointed at this package, which
   * holds none.
   */
  static final class WorkflowDiscovery implements EnvironmentPostProcessor {
    @Override
    public void postProcessEnvironment(
        ConfigurableEnvironment environment, SpringApplication application) {
      if (!of(environment).contains("main")) {
        environment
            .getPropertySources()
            .addFirst(
                new MapPropertySource(
                    "attachments-worker-roles",
                    Map.of(
                        "spring.temporal.workers-auto-discovery.workflow-packages",
                        List.of(WorkerRoles.class.getPackageName()))));
      }
    }
  }
}
