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
 * pod's name resolution (service names resolve to their VIPs).
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

  @Parameters(index = "0", description = "Pod name.")
  String pod;

  @Parameters(index = "1..*", arity = "1..*", description = "Command and arguments (after --).")
  List<String> command;

  @Override
  public Integer call() throws Exception {
    if (!RootCheck.isRoot()) {
      spec.commandLine().getErr().println(RootCheck.message("exec"));
      return 1;
    }
    Optional<String> netns = podNetns(AmbitHome.resolve(home), namespace, pod, spec);
    if (netns.isEmpty()) {
      return 1;
    }
    Process p =
        new ProcessBuilder(Commands.inNetns(netns.get(), command.toArray(String[]::new)))
            .inheritIO()
            .start();
    return p.waitFor();
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
