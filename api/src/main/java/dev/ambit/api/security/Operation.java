package dev.ambit.api.security;

import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Rule;
import java.util.List;

/**
 * What a request does: destination ports (L4, enforceable by ztunnel) and hosts, methods and paths
 * (L7, only enforceable by a waypoint).
 */
public record Operation(
    List<String> hosts,
    List<String> notHosts,
    @Check(Rule.PORT_STRING) List<String> ports,
    @Check(Rule.PORT_STRING) List<String> notPorts,
    @Check(Rule.HTTP_METHOD) List<String> methods,
    @Check(Rule.HTTP_METHOD) List<String> notMethods,
    List<String> paths,
    List<String> notPaths) {

  public Operation {
    hosts = Values.list(hosts);
    notHosts = Values.list(notHosts);
    ports = Values.list(ports);
    notPorts = Values.list(notPorts);
    methods = Values.list(methods);
    notMethods = Values.list(notMethods);
    paths = Values.list(paths);
    notPaths = Values.list(notPaths);
  }

  /** Whether this operation needs HTTP (hosts, methods or paths) and so a waypoint. */
  public boolean isL7() {
    return !hosts.isEmpty()
        || !notHosts.isEmpty()
        || !methods.isEmpty()
        || !notMethods.isEmpty()
        || !paths.isEmpty()
        || !notPaths.isEmpty();
  }
}
