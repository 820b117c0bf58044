package dev.ambit.cli;

import dev.ambit.cli.local.AmbitHome;
import dev.ambit.cli.local.Launcher;
import dev.ambit.cli.local.ManagementNodeApi;
import dev.ambit.cli.local.MeshState;
import dev.ambit.cli.local.RootCheck;
import dev.ambit.node.agent.ContainerSpec;
import dev.ambit.node.agent.NodeAgent;
import dev.ambit.node.net.MeshLayout;
import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.PodInfo;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ambit node-agent --node NAME}: runs the pods of one node of the local mesh and enrolls
 * them with the node's ztunnel. Started by {@code ambit up} inside the node's namespace.
 */
@Command(
    name = "node-agent",
    mixinStandardHelpOptions = true,
    description = "Run the node agent of one node of the local mesh (started by `ambit up`).")
final class NodeAgentCommand implements Callable<Integer> {
  private static final int HBONE_PORT = 15008;

  @Spec CommandSpec spec;

  @Option(names = "--node", required = true, description = "Node name (node1, node2, ...).")
  String node;

  @Option(names = "--home", description = "Ambit home (default: $AMBIT_HOME, else ~/.ambit).")
  Path home;

  @Option(names = "--pods-socket", description = "The node's ztunnel pods socket.")
  Path podsSocket;

  @Option(
      names = "--xds",
      defaultValue = MeshLayout.FABRIC_ADDRESS + ":15012",
      description = "Control plane xDS address for waypoints (default: ${DEFAULT-VALUE}).")
  String xds;

  @Override
  public Integer call() throws Exception {
    if (!RootCheck.isRoot()) {
      spec.commandLine().getErr().println(RootCheck.message("node-agent"));
      return 1;
    }
    AmbitHome h = AmbitHome.resolve(home);
    Optional<MeshState> state = MeshState.read(h.stateFile());
    if (state.isEmpty()) {
      spec.commandLine()
          .getErr()
          .println("ambit node-agent: no local mesh recorded in " + h.stateFile());
      return 1;
    }
    String prefix = state.get().prefix();
    int index = MeshLayout.nodeIndex(node);
    Path credentials = h.credentialsDir(prefix, node);
    ManagementClient client = ManagementClient.connect(h.controlSocket());
    ManagementNodeApi api =
        new ManagementNodeApi(client, pod -> waypointContainers(pod, credentials));
    NodeAgent agent =
        new NodeAgent(
            new NodeAgent.Config(
                new MeshLayout(prefix),
                index,
                h.nodeDir(prefix, node).resolve("agent"),
                h.logsDir(prefix),
                podsSocket != null ? podsSocket : h.podsSocket(prefix, node),
                Launcher.ambitSmall()),
            api);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    agent.close();
                  } catch (Exception e) {
                    // exiting anyway
                  } finally {
                    client.close();
                    stopped.countDown();
                  }
                }));
    agent.start();
    stopped.await();
    return 0;
  }

  private List<ContainerSpec> waypointContainers(PodInfo pod, Path credentials) {
    List<String> command =
        Launcher.ambit(
            "waypoint-proxy",
            "--name",
            pod.getWaypointForGateway(),
            "--namespace",
            pod.getNamespace(),
            "--node",
            node,
            "--xds",
            xds,
            "--credentials",
            credentials.toString());
    return List.of(
        new ContainerSpec("waypoint", "", command, List.of(), Map.of(), List.of(HBONE_PORT)));
  }
}
