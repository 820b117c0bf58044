package dev.ambit.cli;

import dev.ambit.cli.local.AmbitHome;
import dev.ambit.cli.local.MeshState;
import dev.ambit.node.agent.NodeAgent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ambit logs POD [-n NS] [-f]}: prints (and follows) a pod's output. */
@Command(name = "logs", description = "Print the output of a pod of the local mesh.")
final class LogsCommand implements Callable<Integer> {
  private static final long FOLLOW_POLL_MS = 200;

  @Spec CommandSpec spec;

  @Option(names = "--home", description = "Ambit home (default: $AMBIT_HOME, else ~/.ambit).")
  Path home;

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "default",
      description = "Namespace of the pod.")
  String namespace;

  @Option(
      names = {"-f", "--follow"},
      description = "Keep printing new output.")
  boolean follow;

  @Parameters(index = "0", description = "Pod name.")
  String pod;

  @Override
  public Integer call() throws Exception {
    AmbitHome h = AmbitHome.resolve(home);
    Optional<MeshState> state = MeshState.read(h.stateFile());
    if (state.isEmpty()) {
      spec.commandLine().getErr().println("No local mesh is running (start one with `ambit up`).");
      return 1;
    }
    Path log = NodeAgent.logFile(h.logsDir(state.get().prefix()), namespace, pod);
    if (!Files.exists(log)) {
      spec.commandLine()
          .getErr()
          .printf("No logs for pod %s/%s (see `ambit status`).%n", namespace, pod);
      return 1;
    }
    OutputStream out = System.out;
    try (InputStream in = Files.newInputStream(log)) {
      in.transferTo(out);
      out.flush();
      while (follow) {
        if (in.transferTo(out) == 0) {
          Thread.sleep(FOLLOW_POLL_MS);
        }
        out.flush();
      }
    } catch (IOException e) {
      spec.commandLine().getErr().println("ambit logs: " + e.getMessage());
      return 1;
    }
    return 0;
  }
}
