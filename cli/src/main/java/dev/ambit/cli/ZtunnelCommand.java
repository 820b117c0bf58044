package dev.ambit.cli;

import dev.ambit.ztunnel.Ztunnel;
import dev.ambit.ztunnel.ZtunnelConfig;
import dev.ambit.ztunnel.ZtunnelProcess;
import dev.ambit.ztunnel.admin.AdminServers;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ambit ztunnel}: the node proxy (secure L4 overlay) of one node. */
@Command(
    name = "ztunnel",
    mixinStandardHelpOptions = true,
    description =
        "Run the node proxy: HBONE/mTLS for the node's enrolled pods, L4 policy, TCP telemetry.")
final class ZtunnelCommand implements Callable<Integer> {

  @Option(names = "--node", required = true, description = "Name of this node.")
  String node;

  @Option(names = "--xds", required = true, description = "Control plane xDS/CA address HOST:PORT.")
  String xds;

  @Mixin ControlPlaneAuthOptions controlPlane;

  @Option(
      names = "--pods-socket",
      required = true,
      description = "Unix socket on which the node agent hands over pods.")
  Path podsSocket;

  @Option(
      names = "--admin-address",
      defaultValue = "127.0.0.1:15000",
      description =
          "Admin endpoint (/config_dump, /logging, /quitquitquit). Default: ${DEFAULT-VALUE}.")
  String adminAddress;

  @Option(
      names = "--metrics-address",
      defaultValue = "0.0.0.0:15020",
      description = "Prometheus /metrics endpoint. Default: ${DEFAULT-VALUE}.")
  String metricsAddress;

  @Option(
      names = "--ready-address",
      defaultValue = "0.0.0.0:15021",
      description = "Readiness /healthz/ready endpoint. Default: ${DEFAULT-VALUE}.")
  String readyAddress;

  @Option(
      names = "--drain-seconds",
      defaultValue = "30",
      description =
          "On SIGTERM, how long open connections may continue; then exit 0. Default: ${DEFAULT-VALUE}.")
  int drainSeconds;

  @Override
  public Integer call() throws Exception {
    return ZtunnelProcess.run(
        new Ztunnel.Options(
            node,
            xds,
            controlPlane.resolve(),
            podsSocket,
            new AdminServers.Addresses(
                address(adminAddress), address(metricsAddress), address(readyAddress)),
            Duration.ofSeconds(drainSeconds),
            ZtunnelConfig.defaults()));
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("expected HOST:PORT, got " + hostPort);
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
