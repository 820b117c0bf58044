package dev.ambit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.Column;
import dev.ambit.proto.control.GetRequest;
import dev.ambit.proto.control.GetResponse;
import dev.ambit.proto.control.Object;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ambit get KIND [NAME] [-n NS|-A] [-o yaml|json|wide]}. */
@Command(name = "get", description = "Show config objects and their computed state.")
final class GetCommand implements Callable<Integer> {

  enum Output {
    yaml,
    json,
    wide
  }

  @Spec CommandSpec spec;
  @Mixin ControlConnection control;

  @Parameters(
      index = "0",
      paramLabel = "KIND",
      description = "pods, services, namespaces, gateways, httproutes, authorizationpolicies, ...")
  String kind;

  @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "Namespace (default: default).")
  String namespace;

  @Option(
      names = {"-A", "--all-namespaces"},
      description = "Objects of every namespace.")
  boolean allNamespaces;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      description = "yaml, json or wide.")
  Output output;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    GetResponse response;
    try (ManagementClient client = control.connect()) {
      response =
          client
              .stub()
              .get(
                  GetRequest.newBuilder()
                      .setKind(kind)
                      .setName(name == null ? "" : name)
                      .setNamespace(namespace == null ? "" : namespace)
                      .setAllNamespaces(allNamespaces)
                      .build());
    } catch (RuntimeException e) {
      return ControlConnection.fail(err, e);
    }
    List<Object> objects = response.getObjectsList();
    if (output == Output.yaml) {
      out.print(String.join("---\n", objects.stream().map(Object::getYaml).toList()));
    } else if (output == Output.json) {
      out.println(json(objects));
    } else if (objects.isEmpty()) {
      err.println(
          allNamespaces || name != null
              ? "No resources found."
              : "No resources found in "
                  + (namespace == null ? "default" : namespace)
                  + " namespace.");
    } else {
      table(out, objects);
    }
    out.flush();
    return 0;
  }

  private String json(List<Object> objects) throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    if (name != null && objects.size() == 1) {
      return mapper
          .writerWithDefaultPrettyPrinter()
          .writeValueAsString(mapper.readTree(objects.getFirst().getJson()));
    }
    ObjectNode list = mapper.createObjectNode().put("apiVersion", "v1").put("kind", "List");
    ArrayNode items = list.putArray("items");
    for (Object o : objects) {
      JsonNode node = mapper.readTree(o.getJson());
      items.add(node);
    }
    return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(list);
  }

  private void table(PrintWriter out, List<Object> objects) {
    boolean wide = output == Output.wide;
    List<String> headers = new ArrayList<>();
    if (allNamespaces) {
      headers.add("NAMESPACE");
    }
    headers.add("NAME");
    for (Column c : objects.getFirst().getColumnsList()) {
      if (wide || !c.getWide()) {
        headers.add(c.getName());
      }
    }
    headers.add("AGE");
    List<List<String>> rows = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (Object o : objects) {
      List<String> row = new ArrayList<>();
      if (allNamespaces) {
        row.add(o.getRef().getNamespace());
      }
      row.add(o.getRef().getName());
      for (Column c : o.getColumnsList()) {
        if (wide || !c.getWide()) {
          row.add(c.getValue().isEmpty() ? "<none>" : c.getValue());
        }
      }
      row.add(
          o.getCreatedMillis() == 0
              ? "<unknown>"
              : age(Duration.ofMillis(now - o.getCreatedMillis())));
      rows.add(row);
    }
    int[] widths = new int[headers.size()];
    for (int i = 0; i < headers.size(); i++) {
      widths[i] = headers.get(i).length();
      for (List<String> row : rows) {
        widths[i] = Math.max(widths[i], row.get(i).length());
      }
    }
    printRow(out, headers, widths);
    rows.forEach(r -> printRow(out, r, widths));
  }

  private static void printRow(PrintWriter out, List<String> cells, int[] widths) {
    StringBuilder line = new StringBuilder();
    for (int i = 0; i < cells.size(); i++) {
      line.append(cells.get(i));
      if (i < cells.size() - 1) {
        line.append(" ".repeat(widths[i] - cells.get(i).length() + 3));
      }
    }
    out.println(line);
  }

  static String age(Duration d) {
    long s = Math.max(0, d.toSeconds());
    if (s < 120) {
      return s + "s";
    }
    if (s < 7200) {
      return s / 60 + "m";
    }
    if (s < 172800) {
      return s / 3600 + "h";
    }
    return s / 86400 + "d";
  }
}
