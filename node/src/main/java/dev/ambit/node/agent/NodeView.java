package dev.ambit.node.agent;

import dev.ambit.node.net.PodHosts.ServiceEntry;
import java.util.List;
import java.util.Map;

/**
 * What a node agent needs of the cluster: the pods scheduled on its node, the labels of every
 * namespace (enrollment), and the services with their VIPs (name resolution in pods).
 */
public record NodeView(
    List<PodSpec> pods,
    Map<String, Map<String, String>> namespaceLabels,
    List<ServiceEntry> services) {
  public NodeView {
    pods = List.copyOf(pods);
    namespaceLabels = Map.copyOf(namespaceLabels);
    services = List.copyOf(services);
  }
}
