package dev.ambit.control.ca;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SPIFFE ids the control plane deals with.
 *
 * <ul>
 *   <li>Workloads: {@code spiffe://<td>/ns/<namespace>/sa/<service-account>}.
 *   <li>Node credentials (local mode): {@code spiffe://<td>/ambit/node/<node-name>}. This form can
 *       never be mistaken for a workload identity, so a node certificate is never accepted as a
 *       workload by the data path, and the CA and xDS server recognise node callers by it.
 *   <li>The control plane's own serving certificate: {@code
 *       spiffe://<td>/ns/istio-system/sa/ambit-control}, DNS name {@link #CONTROL_DNS_NAME}.
 * </ul>
 */
public final class Identities {

  /** DNS SAN of the control plane's serving certificate; clients use it as TLS authority. */
  public static final String CONTROL_DNS_NAME = "ambit-control.istio-system.svc";

  private static final Pattern WORKLOAD = Pattern.compile("spiffe://([^/]+)/ns/([^/]+)/sa/([^/]+)");
  private static final Pattern NODE = Pattern.compile("spiffe://([^/]+)/ambit/node/([^/]+)");

  private Identities() {}

  public record Workload(String trustDomain, String namespace, String serviceAccount) {
    public String uri() {
      return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }
  }

  public static Optional<Workload> parseWorkload(String uri) {
    Matcher m = WORKLOAD.matcher(uri == null ? "" : uri);
    return m.matches()
        ? Optional.of(new Workload(m.group(1), m.group(2), m.group(3)))
        : Optional.empty();
  }

  public static String nodeUri(String trustDomain, String node) {
    return "spiffe://" + trustDomain + "/ambit/node/" + node;
  }

  /** The node name of a node credential URI in the given trust domain. */
  public static Optional<String> parseNode(String uri, String trustDomain) {
    Matcher m = NODE.matcher(uri == null ? "" : uri);
    return m.matches() && m.group(1).equals(trustDomain)
        ? Optional.of(m.group(2))
        : Optional.empty();
  }

  public static String controlUri(String trustDomain) {
    return "spiffe://" + trustDomain + "/ns/istio-system/sa/ambit-control";
  }
}
