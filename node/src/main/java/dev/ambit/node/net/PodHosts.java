package dev.ambit.node.net;

import java.util.Collection;
import java.util.Comparator;

/** Renders a pod's /etc/hosts: itself, and every Service by name, name.ns and FQDN. */
public final class PodHosts {
  public static final String CLUSTER_DOMAIN = "svc.cluster.local";

  /** A Service with its virtual IP. */
  public record ServiceEntry(String namespace, String name, String vip) {}

  private PodHosts() {}

  public static String render(
      String podNamespace, String podName, String podIp, Collection<ServiceEntry> services) {
    StringBuilder sb = new StringBuilder();
    sb.append("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
    if (podIp != null) {
      sb.append(podIp).append('\t').append(podName).append('\n');
    }
    services.stream()
        .filter(s -> s.vip() != null && !s.vip().isBlank() && !"None".equals(s.vip()))
        .sorted(Comparator.comparing(ServiceEntry::namespace).thenComparing(ServiceEntry::name))
        .forEach(
            s -> {
              sb.append(s.vip())
                  .append('\t')
                  .append(s.name())
                  .append('.')
                  .append(s.namespace())
                  .append('.')
                  .append(CLUSTER_DOMAIN)
                  .append(' ')
                  .append(s.name())
                  .append('.')
                  .append(s.namespace());
              if (s.namespace().equals(podNamespace)) {
                sb.append(' ').append(s.name());
              }
              sb.append('\n');
            });
    return sb.toString();
  }
}
