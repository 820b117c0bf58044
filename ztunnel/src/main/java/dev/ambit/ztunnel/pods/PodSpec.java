package dev.ambit.ztunnel.pods;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * An enrolled pod as the node agent hands it over.
 *
 * @param uid the workload uid ("cluster//Pod/ns/name")
 * @param netns the pod's network namespace file, or null to use ztunnel's own (tests)
 * @param ips the pod's addresses
 */
public record PodSpec(
    String uid,
    String name,
    String namespace,
    String serviceAccount,
    Path netns,
    List<InetAddress> ips) {

  public PodSpec {
    if (uid == null || uid.isEmpty()) {
      throw new IllegalArgumentException("pod uid is required");
    }
    if (namespace == null || namespace.isEmpty()) {
      throw new IllegalArgumentException("pod namespace is required");
    }
    serviceAccount =
        serviceAccount == null || serviceAccount.isEmpty() ? "default" : serviceAccount;
    ips = List.copyOf(ips);
  }
}
