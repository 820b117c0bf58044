package dev.ambit.api.core;

import dev.ambit.api.Spec;
import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.CheckKeys;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A core v1 Service. {@code clusterIP} is optional: null until an allocator assigns one (see {@link
 * #withClusterIP}), {@code "None"} for a headless service. {@code type} null means ClusterIP.
 */
@NotImplemented({
  "clusterIPs",
  "externalIPs",
  "externalName",
  "externalTrafficPolicy",
  "internalTrafficPolicy",
  "ipFamilies",
  "ipFamilyPolicy",
  "loadBalancerIP",
  "publishNotReadyAddresses",
  "sessionAffinity",
  "trafficDistribution"
})
public record ServiceSpec(
    @NotImplemented({"NodePort", "LoadBalancer", "ExternalName"}) ServiceType type,
    @Check(Rule.CLUSTER_IP) String clusterIP,
    @CheckKeys(Rule.LABEL_KEY) @Check(Rule.LABEL_VALUE) Map<String, String> selector,
    List<ServicePort> ports)
    implements Spec, SelfCheck {

  public ServiceSpec {
    selector = Values.map(selector);
    ports = Values.list(ports);
  }

  public ServiceSpec withClusterIP(String ip) {
    return new ServiceSpec(type, ip, selector, ports);
  }

  public boolean headless() {
    return "None".equals(clusterIP);
  }

  @Override
  public void check(Checks checks) {
    if (ports.isEmpty() && !headless()) {
      checks.error("ports", "a Service needs at least one port (or clusterIP: None)");
    }
    Set<String> names = new HashSet<>();
    Set<Integer> numbers = new HashSet<>();
    for (int i = 0; i < ports.size(); i++) {
      ServicePort port = ports.get(i);
      if (ports.size() > 1 && port.name() == null) {
        checks.error("ports[" + i + "].name", "required when a Service has several ports");
      }
      if (port.name() != null && !names.add(port.name())) {
        checks.error("ports[" + i + "].name", "duplicate port name \"" + port.name() + "\"");
      }
      if (!numbers.add(port.port())) {
        checks.error("ports[" + i + "].port", "duplicate port " + port.port());
      }
    }
  }
}
