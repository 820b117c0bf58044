package dev.ambit.cli;

import dev.ambit.waypoint.Waypoint;
import dev.ambit.waypoint.WaypointSettings;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ambit waypoint-proxy}: runs one waypoint replica (inside the waypoint pod's network
 * namespace) until interrupted. Prints {@code ready} once its listeners accept connections.
 */
@Command(
    name = "waypoint-proxy",
    mixinStandardHelpOptions = true,
    description =
        "Run a waypoint: terminate HBONE, apply L7 routing, policy and telemetry, re-originate HBONE.")
final class WaypointProxyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--name", required = true, description = "The waypoint's Gateway name.")
  String name;

  @Option(names = "--namespace", required = true, description = "The Gateway's namespace.")
  String namespace;

  @Option(names = "--node", required = true, description = "The node this replica runs on.")
  String node;

  @Option(
      names = "--xds",
      required = true,
      paramLabel = "HOST:PORT",
      description = "Control plane xDS and CA address.")
  String xds;

  @Mixin ControlPlaneAuthOptions controlPlane;

  @Option(
      names = "--listen",
      paramLabel = "HOST:PORT",
      description = "HBONE listener (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.0.0.0:15008")
  String listen;

  @Option(
      names = "--metrics-address",
      paramLabel = "HOST:PORT",
      description = "/metrics and /healthz/ready listener (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.0.0.0:15020")
  String metricsAddress;

  @Option(
      names = "--trust-domain",
      description = "SPIFFE trust domain (default: ${DEFAULT-VALUE}).",
      defaultValue = "cluster.local")
  String trustDomain;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Waypoint waypoint =
        Waypoint.start(
            new WaypointSettings(
                name,
                namespace,
                node,
                trustDomain,
                xds,
                controlPlane.resolve(),
                ControlCommand.address(listen),
                ControlCommand.address(metricsAddress)));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  waypoint.close();
                  stopped.countDown();
                }));
    out.println("ready");
    out.flush();
    stopped.await();
    return 0;
  }
}
