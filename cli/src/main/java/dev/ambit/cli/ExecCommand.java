package dev.ambit.cli;

import dev.ambit.cli.local.AmbitHome;
import dev.ambit.cli.local.MeshState;
import dev.ambit.cli.local.RootCheck;
import dev.ambit.node.net.Commands;
import dev.ambit.node.net.MeshLayout;
import dev.ambit.node.net.NetnsOps;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ambit exec POD [-n NS] -- CMD...}: runs a command in a pod's network namespace, with the
 * pod's name resolution (service names resolve to their VIPs). {@code ambit exec --node node1 --
 * CMD...} runs it in a node's namespace (where that node's ztunnel serves /metrics on 15020).
 */
@Command(
    name = "exec",
    description = "Run a command inside a pod of the local mesh (its network and name resolution).")
final class ExecCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--home", description = "Ambit home (default: $AMBIT_HOME, else ~/.ambit).")
  Path home;

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "default",
      description = "Namespace of the pod.")
  String namespace;

  @Option(
      names = "--node",
      description =
          "Run in this node's namespace (node1, ...) instead of a pod's (no POD argument).")
  String node;

  @Parameters(
      arity = "1..*",
      paramLabel = "POD -- CMD",
      description = "Pod name, then the command and its arguments (after --).")
  List<String> words;

  @Override
  public Integer call() throws Exception {
    if (!RootCheck.isRoot()) {
      spec.commandLine().getErr().println(RootCheck.message("exec"));
      return 1;
    }
    Optional<String> netns;
    List<String> command;
    if (node != null) {
      netns = nodeNetns(AmbitHome.resolve(home), node, spec);
      command = words;
    } else {
      if (words.size() < 2) {
        spec.commandLine().getErr().println("ambit exec: usage: ambit exec POD [-n NS] -- CMD...");
        return 2;
      }
      netns = podNetns(AmbitHome.resolve(home), namespace, words.getFirst(), spec);
      command = words.subList(1, words.size());
    }
    if (netns.isEmpty()) {
      return 1;
    }
    Process p =
        new ProcessBuilder(Commands.inNetns(netns.get(), command.toArray(String[]::new)))
            .inheritIO()
            .start();
    return p.waitFor();
  }

  /** The netns of a node of the running mesh, or empty after printing why there is none. */
  static Optional<String> nodeNetns(AmbitHome home, String node, CommandSpec spec) {
    Optional<MeshState> state = MeshState.read(home.stateFile());
    if (state.isEmpty()) {
      spec.commandLine().getErr().println("No local mesh is running (start one with `ambit up`).");
      return Optional.empty();
    }
    if (!node.matches("node[0-9]+") || MeshLayout.nodeIndex(node) > state.get().nodes()) {
      spec.commandLine()
          .getErr()
          .printf(
              "No node %s in the local mesh (nodes: node1..node%d).%n", node, state.get().nodes());
      return Optional.empty();
    }
    return Optional.of(new MeshLayout(state.get().prefix()).nodeNetns(MeshLayout.nodeIndex(node)));
  }

  /** The netns of a pod of the running mesh, or empty after printing why there is none. */
  static Optional<String> podNetns(AmbitHome home, String namespace, String pod, CommandSpec spec) {
    Optional<MeshState> state = MeshState.read(home.stateFile());
    if (state.isEmpty()) {
      spec.commandLine().getErr().println("No local mesh is running (start one with `ambit up`).");
      return Optional.empty();
    }
    String netns = new MeshLayout(state.get().prefix()).podNetns(namespace, pod);
    if (!NetnsOps.exists(netns)) {
      spec.commandLine()
          .getErr()
          .printf(
              "No pod %s/%s is running in the local mesh (see `ambit status`).%n", namespace, pod);
      return Optional.empty();
    }
    return Optional.of(netns);
  }
}
