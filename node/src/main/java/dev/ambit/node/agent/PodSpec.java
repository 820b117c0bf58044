package dev.ambit.node.agent;

import java.util.List;
import java.util.Map;

/**
 * A pod scheduled on this node, as the control plane describes it. {@code ambient}: the control
 * plane decided the pod belongs in the mesh (istio.io/dataplane-mode=ambient on the pod or its
 * namespace, not opted out with "none").
 */
public record PodSpec(
    String namespace,
    String name,
    String serviceAccount,
    Map<String, String> labels,
    List<ContainerSpec> containers,
    boolean ambient) {
  public PodSpec {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
    containers = containers == null ? List.of() : List.copyOf(containers);
    serviceAccount =
        serviceAccount == null || serviceAccount.isBlank() ? "default" : serviceAccount;
  }

  public String key() {
    return namespace + "/" + name;
  }

  /** The workload uid the control plane and ztunnel use: {@code local//Pod/<ns>/<name>}. */
  public String workloadUid() {
    return "local//Pod/" + namespace + "/" + name;
  }
}
