package dev.ambit.api.core;

import dev.ambit.api.Spec;
import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Checks;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A core v1 Pod. {@code serviceAccountName} null means "default"; {@code nodeName} null means the
 * scheduler (in local mode: {@code ambit up}) picks a node.
 */
@NotImplemented({
  "initContainers",
  "volumes",
  "hostNetwork",
  "restartPolicy",
  "affinity",
  "nodeSelector",
  "tolerations",
  "securityContext",
  "dnsPolicy",
  "terminationGracePeriodSeconds",
  "automountServiceAccountToken",
  "serviceAccount"
})
public record PodSpec(
    @Check(Rule.DNS_SUBDOMAIN) String serviceAccountName,
    @Check(Rule.DNS_SUBDOMAIN) String nodeName,
    @Required List<Container> containers)
    implements Spec, SelfCheck {

  public PodSpec {
    containers = Values.list(containers);
  }

  /** The service account, applying the Kubernetes default. */
  public String serviceAccount() {
    return serviceAccountName == null ? "default" : serviceAccountName;
  }

  public PodSpec withNodeName(String node) {
    return new PodSpec(serviceAccountName, node, containers);
  }

  @Override
  public void check(Checks checks) {
    Set<String> names = new HashSet<>();
    for (int i = 0; i < containers.size(); i++) {
      if (!names.add(containers.get(i).name())) {
        checks.error(
            "containers[" + i + "].name",
            "duplicate container name \"" + containers.get(i).name() + "\"");
      }
    }
  }
}
