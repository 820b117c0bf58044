package dev.ambit.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ambit.api.schema.Binder;
import dev.ambit.api.schema.Nodes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Validation of objects that were not read from YAML (built in code or changed by a component),
 * with the same rules and messages as {@link ConfigReader}, and of sets of objects applied
 * together.
 */
public final class Validation {
  private Validation() {}

  /** The problems of one object (empty when valid); lines are the object's source line. */
  public static List<ConfigError> validate(Resource<?> resource) {
    List<ConfigError> errors = new ArrayList<>();
    SourceLocation source = resource.source();
    Binder binder = new Binder(source.file(), errors);
    JsonNode tree;
    try {
      tree = ConfigWriter.tree(resource, resource.apiVersion());
    } catch (IllegalArgumentException e) {
      errors.add(new ConfigError(source, null, e.getMessage()));
      return errors;
    }
    ConfigReader.document(source.file(), binder, Nodes.fromJson(tree, source.line()), errors, "");
    return errors;
  }

  /** The problems of a set applied together: each object's own, and objects defined twice. */
  public static List<ConfigError> validateAll(List<? extends Resource<?>> resources) {
    List<ConfigError> errors = new ArrayList<>();
    resources.forEach(r -> errors.addAll(validate(r)));
    errors.addAll(duplicates(resources));
    return errors;
  }

  /** One error for each object whose kind, namespace and name an earlier one already has. */
  public static List<ConfigError> duplicates(List<? extends Resource<?>> resources) {
    Map<ResourceKey, Resource<?>> seen = new HashMap<>();
    List<ConfigError> errors = new ArrayList<>();
    for (Resource<?> resource : resources) {
      Resource<?> first = seen.putIfAbsent(resource.key(), resource);
      if (first != null) {
        errors.add(
            new ConfigError(
                resource.source(),
                "metadata.name",
                "duplicate " + resource.key() + " (first defined at " + first.source() + ")"));
      }
    }
    return errors;
  }
}
