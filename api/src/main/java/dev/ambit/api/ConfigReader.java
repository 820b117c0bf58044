package dev.ambit.api;

import dev.ambit.api.schema.Binder;
import dev.ambit.api.schema.Node;
import dev.ambit.api.schema.Paths;
import dev.ambit.api.schema.Texts;
import dev.ambit.api.schema.YamlLoader;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads resources from YAML or JSON: files with one or more documents, directories (every {@code
 * .yaml}, {@code .yml} and {@code .json} file below, in name order) and streams such as standard
 * input. Everything read is validated; all problems are collected and thrown together as a {@link
 * ConfigException} whose errors name file, line and field. A read set also must not define one
 * object twice (it is one apply).
 */
public final class ConfigReader {

  private static final Set<String> EXTENSIONS = Set.of(".yaml", ".yml", ".json");

  private ConfigReader() {}

  /** Reads a file or a directory tree. */
  public static List<Resource<?>> read(Path path) throws ConfigException {
    return read(List.of(path));
  }

  /** Reads several files and/or directories as one set. */
  public static List<Resource<?>> read(List<Path> paths) throws ConfigException {
    List<ConfigError> errors = new ArrayList<>();
    List<Resource<?>> resources = new ArrayList<>();
    for (Path path : paths) {
      for (Path file : files(path, errors)) {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
          resources.addAll(documents(file.toString(), reader, errors));
        } catch (IOException e) {
          errors.add(
              new ConfigError(
                  new SourceLocation(file.toString(), 0), null, "cannot read: " + e.getMessage()));
        }
      }
    }
    return checked(resources, errors);
  }

  /** Reads a stream, naming it {@code name} in errors (use {@code "-"} for standard input). */
  public static List<Resource<?>> read(String name, Reader reader) throws ConfigException {
    List<ConfigError> errors = new ArrayList<>();
    List<Resource<?>> resources = documents(name, reader, errors);
    return checked(resources, errors);
  }

  /** Reads YAML text, naming it {@code name} in errors. */
  public static List<Resource<?>> read(String name, String text) throws ConfigException {
    return read(name, new StringReader(text));
  }

  /** The configuration files at {@code path}: itself, or those below it when it is a directory. */
  public static List<Path> files(Path path, List<ConfigError> errors) {
    if (!Files.exists(path)) {
      errors.add(
          new ConfigError(
              new SourceLocation(path.toString(), 0), null, "no such file or directory"));
      return List.of();
    }
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> walk = Files.walk(path)) {
      return walk.filter(Files::isRegularFile).filter(ConfigReader::isConfigFile).sorted().toList();
    } catch (IOException e) {
      errors.add(
          new ConfigError(
              new SourceLocation(path.toString(), 0), null, "cannot list: " + e.getMessage()));
      return List.of();
    }
  }

  /** Whether a file name looks like configuration (.yaml, .yml, .json; not hidden). */
  public static boolean isConfigFile(Path file) {
    String name = file.getFileName().toString();
    return !name.startsWith(".") && EXTENSIONS.stream().anyMatch(name::endsWith);
  }

  private static List<Resource<?>> checked(List<Resource<?>> resources, List<ConfigError> errors)
      throws ConfigException {
    errors.addAll(Validation.duplicates(resources));
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return List.copyOf(resources);
  }

  private static List<Resource<?>> documents(String file, Reader reader, List<ConfigError> errors) {
    List<Resource<?>> resources = new ArrayList<>();
    Binder binder = new Binder(file, errors);
    for (Node document : YamlLoader.load(file, reader, errors)) {
      Node.ListNode items = listItems(document);
      if (items == null) {
        add(resources, document(file, binder, document, errors, ""));
        continue;
      }
      for (int i = 0; i < items.items().size(); i++) {
        add(resources, document(file, binder, items.items().get(i), errors, "items[" + i + "]"));
      }
    }
    return resources;
  }

  private static void add(List<Resource<?>> resources, Resource<?> resource) {
    if (resource != null) {
      resources.add(resource);
    }
  }

  /**
   * The items of a {@code kind: List} document (as kubectl writes), or null for other documents.
   */
  private static Node.ListNode listItems(Node document) {
    if (document instanceof Node.MapNode map
        && map.entries().get("kind") != null
        && map.entries().get("kind").value() instanceof Node.ScalarNode kind
        && kind.text().equals("List")
        && map.entries().keySet().stream()
            .allMatch(
                k ->
                    k.equals("apiVersion")
                        || k.equals("kind")
                        || k.equals("items")
                        || k.equals("metadata"))
        && map.entries().get("items") != null
        && map.entries().get("items").value() instanceof Node.ListNode items) {
      return items;
    }
    return null;
  }

  /**
   * Binds one document to a resource, or returns null after adding its errors. Also used to
   * validate objects built in code (see {@link Validation}).
   */
  static Resource<?> document(
      String file, Binder binder, Node document, List<ConfigError> errors, String prefix) {
    int before = errors.size();
    if (!(document instanceof Node.MapNode map)) {
      binder.error(
          document.line(),
          prefix.isEmpty() ? null : prefix,
          "expected a mapping with apiVersion and kind, got " + document.describe());
      return null;
    }
    String apiVersion = text(binder, map, "apiVersion", prefix);
    String kindName = text(binder, map, "kind", prefix);
    if (apiVersion == null || kindName == null) {
      return null;
    }
    Kind kind = Kind.byKindName(kindName).orElse(null);
    if (kind == null) {
      binder.error(
          map.entries().get("kind").keyLine(),
          Paths.field(prefix, "kind"),
          "unknown kind " + Texts.quote(kindName) + " (known: " + knownKinds() + ")");
      return null;
    }
    if (!kind.serves(apiVersion)) {
      binder.error(
          map.entries().get("apiVersion").keyLine(),
          Paths.field(prefix, "apiVersion"),
          Texts.quote(apiVersion)
              + " is not a served version of "
              + kind.kindName()
              + " (served: "
              + String.join(", ", kind.servedApiVersions())
              + ")");
      return null;
    }
    for (Map.Entry<String, Node.Entry> entry : map.entries().entrySet()) {
      String key = entry.getKey();
      boolean known =
          key.equals("apiVersion")
              || key.equals("kind")
              || key.equals("metadata")
              || (key.equals("spec") && kind.hasSpec())
              || (key.equals("status") && kind.statusType() != null);
      if (!known) {
        binder.error(
            entry.getValue().keyLine(),
            Paths.field(prefix, key),
            key.equals("status")
                ? "a " + kind.kindName() + " has no status Ambit reads"
                : "unknown field (a "
                    + kind.kindName()
                    + " has apiVersion, kind, metadata"
                    + (kind.hasSpec() ? ", spec" : "")
                    + (kind.statusType() != null ? ", status" : "")
                    + ")");
      }
    }
    ObjectMeta metadata = metadata(binder, kind, map, prefix);
    Node.Entry specEntry = map.entries().get("spec");
    Spec spec =
        binder.bind(
                    kind.specType().asSubclass(Record.class),
                    kind.hasSpec() && specEntry != null ? specEntry.value() : null,
                    Paths.field(prefix, "spec"),
                    specEntry != null ? specEntry.keyLine() : map.line())
                instanceof Spec s
            ? s
            : null;
    Node.Entry statusEntry = map.entries().get("status");
    Status status = null;
    if (statusEntry != null && kind.statusType() != null) {
      status =
          binder.bind(
                      kind.statusType().asSubclass(Record.class),
                      statusEntry.value(),
                      Paths.field(prefix, "status"),
                      statusEntry.keyLine())
                  instanceof Status s
              ? s
              : null;
    }
    if (errors.size() > before) {
      return null;
    }
    return new Resource<>(apiVersion, metadata, spec, status, new SourceLocation(file, map.line()));
  }

  private static ObjectMeta metadata(Binder binder, Kind kind, Node.MapNode map, String prefix) {
    String path = Paths.field(prefix, "metadata");
    Node.Entry entry = map.entries().get("metadata");
    if (entry == null) {
      binder.error(map.line(), path, "required field is missing");
      return null;
    }
    ObjectMeta metadata = binder.bind(ObjectMeta.class, entry.value(), path, entry.keyLine());
    if (metadata == null) {
      return null;
    }
    Node.MapNode metaMap = (Node.MapNode) entry.value();
    String problem = kind.nameRule().check(metadata.name());
    if (problem != null) {
      binder.error(metaMap.entries().get("name").keyLine(), path + ".name", problem);
    }
    if (!kind.namespaced() && metadata.namespace() != null) {
      binder.error(
          metaMap.entries().get("namespace").keyLine(),
          path + ".namespace",
          kind.kindName() + " is cluster-scoped and has no namespace");
      return null;
    }
    return kind.namespaced() && metadata.namespace() == null
        ? metadata.withNamespace("default")
        : metadata;
  }

  private static String text(Binder binder, Node.MapNode map, String key, String prefix) {
    Node.Entry entry = map.entries().get(key);
    if (entry == null) {
      binder.error(map.line(), Paths.field(prefix, key), "required field is missing");
      return null;
    }
    if (!(entry.value() instanceof Node.ScalarNode scalar)
        || scalar.type() != Node.ScalarType.STRING) {
      binder.error(
          entry.keyLine(),
          Paths.field(prefix, key),
          "expected a string, got " + entry.value().describe());
      return null;
    }
    return scalar.text();
  }

  private static String knownKinds() {
    return String.join(", ", Stream.of(Kind.values()).map(Kind::kindName).toList());
  }
}
