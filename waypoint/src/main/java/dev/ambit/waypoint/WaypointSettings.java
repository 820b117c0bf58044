package dev.ambit.waypoint;

import dev.ambit.proto.client.ControlPlaneAuth;
import dev.ambit.proto.client.ControlPlaneCredentials;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * How to run one waypoint replica.
 *
 * @param name the Gateway (and Service, and service account) name
 * @param namespace the Gateway's namespace
 * @param node the node the replica runs on (for logs and the xDS node id)
 * @param xds the control plane's xDS/CA address, "host:port"
 * @param controlPlane how to authenticate to the xDS/CA port (node credential or service-account
 *     token)
 * @param listen the HBONE listener, normally 0.0.0.0:15008
 * @param metrics the /metrics and /healthz/ready listener, normally 0.0.0.0:15020
 */
public record WaypointSettings(
    String name,
    String namespace,
    String node,
    String trustDomain,
    String xds,
    ControlPlaneAuth controlPlane,
    InetSocketAddress listen,
    InetSocketAddress metrics) {

  /** With the node credential in directory {@code credentials}. */
  public WaypointSettings(
      String name,
      String namespace,
      String node,
      String trustDomain,
      String xds,
      Path credentials,
      InetSocketAddress listen,
      InetSocketAddress metrics) {
    this(
        name,
        namespace,
        node,
        trustDomain,
        xds,
        ControlPlaneCredentials.fromDirectory(credentials),
        listen,
        metrics);
  }

  /** The waypoint's SPIFFE id: its service account is the Gateway's name. */
  public String identity() {
    return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + name;
  }
}
