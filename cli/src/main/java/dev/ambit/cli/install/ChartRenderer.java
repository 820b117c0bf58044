package dev.ambit.cli.install;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a chart the way {@code helm template --include-crds} does: CRDs first, then every
 * template not starting with {@code _}, split into documents, empty documents dropped, sorted by
 * kind in install order (namespaces, accounts, RBAC before workloads).
 */
public final class ChartRenderer {
  /** The release the chart is rendered for. */
  public record Release(String name, String namespace) {}

  /** One rendered manifest with the chart file it came from. */
  public record Document(String source, String kind, String yaml) {}

  private static final List<String> INSTALL_ORDER =
      List.of(
          "Namespace",
          "NetworkPolicy",
          "ResourceQuota",
          "LimitRange",
          "PodDisruptionBudget",
          "ServiceAccount",
          "Secret",
          "ConfigMap",
          "CustomResourceDefinition",
          "ClusterRole",
          "ClusterRoleBinding",
          "Role",
          "RoleBinding",
          "Service",
          "DaemonSet",
          "Pod",
          "ReplicaSet",
          "Deployment",
          "HorizontalPodAutoscaler",
          "StatefulSet",
          "Job",
          "CronJob");

  private static final Pattern KIND = Pattern.compile("(?m)^kind:\\s*\"?([A-Za-z0-9]+)\"?\\s*$");
  private static final Pattern SEPARATOR = Pattern.compile("(?m)^---[ \\t]*$\\n?");

  private ChartRenderer() {}

  /** The chart's values overlaid with {@code files} in order, then {@code sets} in order. */
  public static Map<String, Object> values(Chart chart, List<Path> files, List<String> sets)
      throws IOException {
    Map<String, Object> values = Yaml.loadMap(chart.values(), "values.yaml");
    for (Path f : files) {
      Values.merge(values, Yaml.loadMap(Files.readString(f), f.toString()));
    }
    for (String s : sets) {
      Values.set(values, s);
    }
    return values;
  }

  public static List<Document> render(Chart chart, Release release, Map<String, Object> values) {
    List<Document> out = new ArrayList<>();
    chart.crds().forEach((file, text) -> split(chart.name() + "/crds/" + file, text, out));

    Map<String, Template> defines = new HashMap<>();
    Map<String, Template> parsed = new LinkedHashMap<>();
    chart
        .templates()
        .forEach(
            (file, text) ->
                parsed.put(
                    file, Template.parse(chart.name() + "/templates/" + file, text, defines)));
    Map<String, Object> dot = new LinkedHashMap<>();
    dot.put("Values", values);
    dot.put(
        "Release",
        Map.of(
            "Name",
            release.name(),
            "Namespace",
            release.namespace(),
            "Service",
            "Helm",
            "IsInstall",
            true,
            "IsUpgrade",
            false));
    Map<String, Object> chartInfo = new LinkedHashMap<>();
    chart.metadata().forEach((k, v) -> chartInfo.put(capitalize(k), v));
    dot.put("Chart", chartInfo);

    TemplateEngine engine = new TemplateEngine(defines);
    List<Document> rendered = new ArrayList<>();
    parsed.forEach(
        (file, template) -> {
          if (!file.startsWith("_") && (file.endsWith(".yaml") || file.endsWith(".yml"))) {
            split(template.file(), engine.render(template, dot), rendered);
          }
        });
    rendered.sort(Comparator.comparingInt(d -> order(d.kind())));
    out.addAll(rendered);
    return out;
  }

  /** The documents as one multi-document YAML stream, each headed by its source file. */
  public static String toYaml(List<Document> documents) {
    StringBuilder out = new StringBuilder();
    for (Document d : documents) {
      out.append("---\n# Source: ").append(d.source()).append('\n').append(d.yaml()).append('\n');
    }
    return out.toString();
  }

  private static void split(String source, String text, List<Document> out) {
    for (String doc : SEPARATOR.split(text)) {
      String body = stripBlankLines(doc);
      if (body.lines().allMatch(l -> l.isBlank() || l.stripLeading().startsWith("#"))) {
        continue;
      }
      Matcher m = KIND.matcher(body);
      out.add(new Document(source, m.find() ? m.group(1) : "", body));
    }
  }

  private static String stripBlankLines(String doc) {
    List<String> lines = new ArrayList<>(doc.lines().map(String::stripTrailing).toList());
    while (!lines.isEmpty() && lines.getFirst().isEmpty()) {
      lines.removeFirst();
    }
    while (!lines.isEmpty() && lines.getLast().isEmpty()) {
      lines.removeLast();
    }
    return String.join("\n", lines);
  }

  private static int order(String kind) {
    int i = INSTALL_ORDER.indexOf(kind);
    return i < 0 ? INSTALL_ORDER.size() : i;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
