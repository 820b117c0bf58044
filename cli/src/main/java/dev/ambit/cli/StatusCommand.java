package dev.ambit.cli;

import dev.ambit.cli.local.AmbitHome;
import dev.ambit.cli.local.MeshState;
import dev.ambit.cli.local.MeshSummary;
import dev.ambit.proto.client.ManagementClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ambit status}: the local mesh's nodes, pods and waypoints. */
@Command(
    name = "status",
    description = "Show the local mesh: nodes, pods, waypoints, control plane.")
final class StatusCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--home", description = "Ambit home (default: $AMBIT_HOME, else ~/.ambit).")
  Path home;

  @Override
  public Integer call() throws Exception {
    AmbitHome h = AmbitHome.resolve(home);
    PrintWriter out = spec.commandLine().getOut();
    Optional<MeshState> state = MeshState.read(h.stateFile());
    if (state.isEmpty()) {
      out.println("No local mesh is running (start one with `ambit up`).");
      return 1;
    }
    MeshSummary summary = new MeshSummary(h, state.get());
    if (!java.nio.file.Files.exists(h.controlSocket())) {
      summary.print(null, out);
      return 1;
    }
    try (ManagementClient client = ManagementClient.connect(h.controlSocket())) {
      summary.print(client, out);
      return 0;
    } catch (Exception e) {
      spec.commandLine().getErr().println("ambit status: control plane: " + e.getMessage());
      summary.print(null, out);
      return 1;
    }
  }
}
