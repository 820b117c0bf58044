package dev.ambit.node.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ambit.node.agent.PodSpec;
import dev.ambit.node.agent.ZtunnelClient;
import dev.ambit.node.redirect.RedirectionRules;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A chained CNI plugin that enrolls the pod in the mesh: on ADD it hands the pod's netns to the
 * node's ztunnel (the {@code podsSocket} of the network configuration) and programs the in-pod
 * redirection rules, then passes the previous plugin's result through; DEL undoes both and never
 * fails on what is already gone; CHECK verifies the rules; VERSION lists the spec versions.
 *
 * <p>Pod identity comes from CNI_ARGS (K8S_POD_NAMESPACE, K8S_POD_NAME) and the optional {@code
 * serviceAccount} of the configuration; addresses from {@code prevResult}.
 */
public final class CniPlugin {
  static final List<String> VERSIONS = List.of("0.3.0", "0.3.1", "0.4.0", "1.0.0", "1.1.0");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A CNI error: printed as the spec's error object, exit status 1. */
  public static final class CniError extends Exception {
    final int code;

    CniError(int code, String msg) {
      super(msg);
      this.code = code;
    }
  }

  /** Runs one invocation; returns what goes to stdout. */
  public String invoke(Map<String, String> env, String stdin) throws CniError {
    String command = env.getOrDefault("CNI_COMMAND", "");
    if (command.equals("VERSION")) {
      return version(stdin);
    }
    JsonNode conf = parse(stdin);
    String cniVersion = conf.path("cniVersion").asText("1.0.0");
    return switch (command) {
      case "ADD" -> add(env, conf, cniVersion);
      case "DEL" -> {
        del(env, conf);
        yield "";
      }
      case "CHECK" -> {
        check(env);
        yield "";
      }
      default -> throw new CniError(4, "unknown CNI_COMMAND " + command);
    };
  }

  private static String version(String stdin) throws CniError {
    ObjectNode out = JSON.createObjectNode();
    String asked =
        stdin == null || stdin.isBlank()
            ? "1.0.0"
            : parse(stdin).path("cniVersion").asText("1.0.0");
    out.put("cniVersion", asked);
    out.set("supportedVersions", JSON.valueToTree(VERSIONS));
    return out.toString();
  }

  private String add(Map<String, String> env, JsonNode conf, String cniVersion) throws CniError {
    JsonNode prev = conf.path("prevResult");
    if (prev.isMissingNode() || prev.isNull()) {
      throw new CniError(
          7, "ambit must be chained after a plugin that assigns addresses (no prevResult)");
    }
    Path netns = netns(env);
    Map<String, String> args = cniArgs(env.getOrDefault("CNI_ARGS", ""));
    String namespace = args.getOrDefault("K8S_POD_NAMESPACE", "default");
    String name = args.getOrDefault("K8S_POD_NAME", env.getOrDefault("CNI_CONTAINERID", "pod"));
    PodSpec pod =
        new PodSpec(
            namespace, name, conf.path("serviceAccount").asText(null), Map.of(), List.of(), true);
    List<String> ips = new ArrayList<>();
    for (JsonNode ip : prev.path("ips")) {
      String address = ip.path("address").asText();
      ips.add(address.contains("/") ? address.substring(0, address.indexOf('/')) : address);
    }
    try {
      ztunnel(conf).add(pod, pod.workloadUid(), netns, ips);
      new RedirectionRules(netns).apply();
    } catch (IOException | RuntimeException e) {
      throw new CniError(
          999, "enrolling " + namespace + "/" + name + " in the mesh failed: " + e.getMessage());
    }
    ObjectNode result = prev.deepCopy();
    result.put("cniVersion", cniVersion);
    return result.toString();
  }

  private void del(Map<String, String> env, JsonNode conf) throws CniError {
    String netns = env.getOrDefault("CNI_NETNS", "");
    if (!netns.isEmpty() && Files.exists(Path.of(netns))) {
      new RedirectionRules(Path.of(netns)).remove();
    }
    Map<String, String> args = cniArgs(env.getOrDefault("CNI_ARGS", ""));
    String namespace = args.getOrDefault("K8S_POD_NAMESPACE", "default");
    String name = args.getOrDefault("K8S_POD_NAME", env.getOrDefault("CNI_CONTAINERID", "pod"));
    String uid = new PodSpec(namespace, name, null, Map.of(), List.of(), true).workloadUid();
    try {
      ztunnel(conf).del(uid);
    } catch (IOException e) {
      // DEL must succeed when the pod is already gone (ztunnel restarted or stopped).
    }
  }

  private static void check(Map<String, String> env) throws CniError {
    Path netns = netns(env);
    if (!new RedirectionRules(netns).applied()) {
      throw new CniError(999, "the mesh redirection rules are missing in " + netns);
    }
  }

  private static ZtunnelClient ztunnel(JsonNode conf) throws CniError {
    String socket = conf.path("podsSocket").asText("");
    if (socket.isEmpty()) {
      throw new CniError(7, "the network configuration has no podsSocket (ztunnel's pods socket)");
    }
    return new ZtunnelClient(Path.of(socket));
  }

  private static Path netns(Map<String, String> env) throws CniError {
    String netns = env.getOrDefault("CNI_NETNS", "");
    if (netns.isEmpty() || !Files.exists(Path.of(netns))) {
      throw new CniError(4, "CNI_NETNS is missing or does not exist: " + netns);
    }
    return Path.of(netns);
  }

  static Map<String, String> cniArgs(String args) {
    Map<String, String> out = new java.util.HashMap<>();
    for (String kv : args.split(";")) {
      int eq = kv.indexOf('=');
      if (eq > 0) {
        out.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    return out;
  }

  private static JsonNode parse(String stdin) throws CniError {
    try {
      return JSON.readTree(stdin == null ? "" : stdin);
    } catch (IOException e) {
      throw new CniError(6, "cannot decode the network configuration: " + e.getMessage());
    }
  }

  /** The spec's error object. */
  public static String error(String cniVersion, CniError e) {
    ObjectNode out = JSON.createObjectNode();
    out.put("cniVersion", cniVersion);
    out.put("code", e.code);
    out.put("msg", e.getMessage());
    return out.toString();
  }
}
