package dev.ambit.node.agent;

import dev.ambit.node.net.PodHosts.ServiceEntry;
import java.util.List;

/**
 * What a node agent needs of the cluster: the pods scheduled on its node and the services with
 * their VIPs (name resolution in pods).
 */
public record NodeView(List<PodSpec> pods, List<ServiceEntry> services) {
  public NodeView {
    pods = List.copyOf(pods);
    services = List.copyOf(services);
  }
}
