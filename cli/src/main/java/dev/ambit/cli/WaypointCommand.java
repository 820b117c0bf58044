package dev.ambit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.ApplyRequest;
import dev.ambit.proto.control.ApplyResult;
import dev.ambit.proto.control.ConfigSource;
import dev.ambit.proto.control.DeleteRequest;
import dev.ambit.proto.control.GetRequest;
import dev.ambit.proto.control.LabelRequest;
import dev.ambit.proto.control.Object;
import dev.ambit.proto.control.ObjectRef;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ambit waypoint apply|list|delete}: declares, shows and removes waypoints, i.e. Gateways of
 * class {@code istio-waypoint}. The control plane deploys each as a Service of the same name and
 * pods {@code <name>-<i>}, and removes them with the Gateway.
 */
@Command(
    name = "waypoint",
    description = "Manage waypoints (the L7 proxies of a namespace or service).",
    subcommands = {
      WaypointCommand.Apply.class,
      WaypointCommand.ListWaypoints.class,
      WaypointCommand.Delete.class
    })
final class WaypointCommand implements Callable<Integer> {

  static final String CLASS = "istio-waypoint";
  static final String KIND = "gateway";
  static final String WAYPOINT_FOR = "istio.io/waypoint-for";
  static final String USE_WAYPOINT = "istio.io/use-waypoint";
  static final String REPLICAS = "ambit.dev/replicas";
  static final String GATEWAY_NAME = "gateway.networking.k8s.io/gateway-name";

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  enum TrafficType {
    service,
    workload,
    all
  }

  /** {@code ambit waypoint apply}: creates or updates the Gateway, optionally enrolls the NS. */
  @Command(name = "apply", description = "Create or update a waypoint Gateway.")
  static final class Apply implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ControlConnection control;

    @Option(
        names = {"-n", "--namespace"},
        required = true,
        paramLabel = "NS",
        description = "Namespace of the waypoint.")
    String namespace;

    @Option(
        names = "--name",
        paramLabel = "NAME",
        defaultValue = "waypoint",
        description = "Gateway name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(
        names = "--for",
        paramLabel = "TYPE",
        defaultValue = "service",
        description = "Traffic the waypoint handles: ${COMPLETION-CANDIDATES} (default: service).")
    TrafficType trafficType;

    @Option(
        names = "--enroll-namespace",
        description = "Also label the namespace istio.io/use-waypoint=NAME.")
    boolean enrollNamespace;

    @Option(names = "--replicas", paramLabel = "N", description = "Number of waypoint pods.")
    Integer replicas;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      if (replicas != null && replicas < 0) {
        err.println("error: --replicas must not be negative");
        return 2;
      }
      try (ManagementClient client = control.connect()) {
        ApplyRequest request =
            ApplyRequest.newBuilder()
                .addSources(
                    ConfigSource.newBuilder()
                        .setName("waypoint " + namespace + "/" + name)
                        .setYaml(gatewayYaml()))
                .build();
        for (ApplyResult r : client.stub().apply(request).getResultsList()) {
          out.println(
              r.getRef().getKind().toLowerCase(Locale.ROOT)
                  + "/"
                  + r.getRef().getName()
                  + " "
                  + r.getAction());
        }
        if (enrollNamespace) {
          client
              .stub()
              .label(
                  LabelRequest.newBuilder()
                      .setRef(ObjectRef.newBuilder().setKind("namespace").setName(namespace))
                      .putSet(USE_WAYPOINT, name)
                      .setOverwrite(true)
                      .build());
          out.println("namespace/" + namespace + " labeled");
        }
        return 0;
      } catch (RuntimeException e) {
        return ControlConnection.fail(err, e);
      }
    }

    String gatewayYaml() {
      StringBuilder y = new StringBuilder();
      y.append("apiVersion: gateway.networking.k8s.io/v1\n")
          .append("kind: Gateway\n")
          .append("metadata:\n")
          .append("  name: ")
          .append(quote(name))
          .append('\n')
          .append("  namespace: ")
          .append(quote(namespace))
          .append('\n')
          .append("  labels:\n")
          .append("    ")
          .append(WAYPOINT_FOR)
          .append(": ")
          .append(trafficType.name())
          .append('\n');
      if (replicas != null) {
        y.append("  annotations:\n")
            .append("    ")
            .append(REPLICAS)
            .append(": \"")
            .append(replicas)
            .append("\"\n");
      }
      y.append("spec:\n")
          .append("  gatewayClassName: ")
          .append(CLASS)
          .append('\n')
          .append("  listeners:\n")
          .append("  - name: mesh\n")
          .append("    port: 15008\n")
          .append("    protocol: HBONE\n");
      return y.toString();
    }

    /** A YAML double-quoted scalar, so that a name can never change the document's structure. */
    private static String quote(String s) {
      return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
  }

  /** {@code ambit waypoint list}: waypoint Gateways with their address and ready pods. */
  @Command(name = "list", description = "List waypoints.")
  static final class ListWaypoints implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ControlConnection control;

    @Option(
        names = {"-n", "--namespace"},
        paramLabel = "NS",
        description = "Namespace (default: default).")
    String namespace;

    @Option(
        names = {"-A", "--all-namespaces"},
        description = "List waypoints of every namespace.")
    boolean allNamespaces;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String ns = namespace == null ? "" : namespace;
      try (ManagementClient client = control.connect()) {
        List<Object> gateways =
            waypoints(
                client
                    .stub()
                    .get(
                        GetRequest.newBuilder()
                            .setKind(KIND)
                            .setNamespace(ns)
                            .setAllNamespaces(allNamespaces)
                            .build())
                    .getObjectsList());
        if (gateways.isEmpty()) {
          err.println(
              allNamespaces
                  ? "No waypoints found."
                  : "No waypoints found in " + (ns.isEmpty() ? "default" : ns) + " namespace.");
          return 0;
        }
        Map<String, int[]> pods =
            podCounts(
                client
                    .stub()
                    .get(
                        GetRequest.newBuilder()
                            .setKind("pod")
                            .setNamespace(ns)
                            .setAllNamespaces(allNamespaces)
                            .build())
                    .getObjectsList());
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("NAMESPACE", "NAME", "FOR", "ADDRESS", "READY"));
        for (Object gw : gateways) {
          JsonNode json = json(gw);
          String key = gw.getRef().getNamespace() + "/" + gw.getRef().getName();
          int[] counts = pods.getOrDefault(key, new int[2]);
          rows.add(
              List.of(
                  gw.getRef().getNamespace(),
                  gw.getRef().getName(),
                  json.path("metadata").path("labels").path(WAYPOINT_FOR).asText("service"),
                  orNone(column(gw, "ADDRESS")),
                  counts[0] + "/" + counts[1]));
        }
        Table.print(out, rows);
        return 0;
      } catch (RuntimeException e) {
        return ControlConnection.fail(err, e);
      }
    }

    /** namespace/gateway -> {running pods, all pods} of that waypoint. */
    private static Map<String, int[]> podCounts(List<Object> pods) {
      Map<String, int[]> out = new HashMap<>();
      for (Object pod : pods) {
        JsonNode json = json(pod);
        String gw = json.path("metadata").path("labels").path(GATEWAY_NAME).asText("");
        if (gw.isEmpty()) {
          continue;
        }
        int[] c = out.computeIfAbsent(pod.getRef().getNamespace() + "/" + gw, k -> new int[2]);
        c[1]++;
        if ("Running".equals(json.path("status").path("phase").asText(""))) {
          c[0]++;
        }
      }
      return out;
    }

    private static String orNone(String s) {
      return s.isEmpty() ? "<none>" : s;
    }
  }

  /** {@code ambit waypoint delete NAME... | --all}: removes waypoint Gateways. */
  @Command(name = "delete", description = "Delete waypoints (their Service and pods go with them).")
  static final class Delete implements Callable<Integer> {

    @Spec CommandSpec spec;
    @Mixin ControlConnection control;

    @Option(
        names = {"-n", "--namespace"},
        paramLabel = "NS",
        description = "Namespace (default: default).")
    String namespace;

    @ArgGroup(multiplicity = "1")
    Which which;

    static final class Which {
      @Parameters(arity = "1..*", paramLabel = "NAME", description = "Waypoints to delete.")
      List<String> names;

      @Option(names = "--all", required = true, description = "Delete every waypoint of the NS.")
      boolean all;
    }

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      String ns = namespace == null ? "" : namespace;
      try (ManagementClient client = control.connect()) {
        DeleteRequest.Builder request = DeleteRequest.newBuilder();
        if (which.all) {
          List<Object> gateways =
              waypoints(
                  client
                      .stub()
                      .get(GetRequest.newBuilder().setKind(KIND).setNamespace(ns).build())
                      .getObjectsList());
          gateways.forEach(g -> request.addRefs(g.getRef()));
        } else {
          for (String n : which.names) {
            Object gw;
            try {
              gw =
                  client
                      .stub()
                      .get(
                          GetRequest.newBuilder().setKind(KIND).setNamespace(ns).setName(n).build())
                      .getObjects(0);
            } catch (StatusRuntimeException e) {
              if (e.getStatus().getCode() != Status.Code.NOT_FOUND) {
                throw e;
              }
              err.println(
                  "error: waypoint \""
                      + n
                      + "\" not found in namespace "
                      + (ns.isEmpty() ? "default" : ns));
              return 1;
            }
            if (!isWaypoint(gw)) {
              err.println("error: gateway \"" + n + "\" is not a waypoint (class " + CLASS + ")");
              return 1;
            }
            request.addRefs(gw.getRef());
          }
        }
        if (request.getRefsCount() == 0) {
          err.println("No waypoints found in " + (ns.isEmpty() ? "default" : ns) + " namespace.");
          return 0;
        }
        for (ObjectRef r : client.stub().delete(request.build()).getDeletedList()) {
          out.println(r.getKind().toLowerCase(Locale.ROOT) + " \"" + r.getName() + "\" deleted");
        }
        return 0;
      } catch (RuntimeException e) {
        return ControlConnection.fail(err, e);
      }
    }
  }

  static List<Object> waypoints(List<Object> gateways) {
    return gateways.stream().filter(WaypointCommand::isWaypoint).toList();
  }

  static boolean isWaypoint(Object gateway) {
    return CLASS.equals(column(gateway, "CLASS"));
  }

  static String column(Object o, String name) {
    return o.getColumnsList().stream()
        .filter(c -> c.getName().equals(name))
        .map(c -> c.getValue())
        .findFirst()
        .orElse("");
  }

  private static final ObjectMapper MAPPER = new ObjectMapper();

  static JsonNode json(Object o) {
    try {
      return MAPPER.readTree(o.getJson());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Left-aligned columns separated by three spaces, as {@code ambit get} prints them. */
  static final class Table {
    private Table() {}

    static void print(PrintWriter out, List<List<String>> rows) {
      int[] widths = new int[rows.getFirst().size()];
      for (List<String> row : rows) {
        for (int i = 0; i < row.size(); i++) {
          widths[i] = Math.max(widths[i], row.get(i).length());
        }
      }
      for (List<String> row : rows) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
          line.append(row.get(i));
          if (i < row.size() - 1) {
            line.append(" ".repeat(widths[i] - row.get(i).length() + 3));
          }
        }
        out.println(line);
      }
    }
  }
}
