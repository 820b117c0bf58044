package dev.ambit.cli;

import dev.ambit.cli.local.AmbitHome;
import dev.ambit.cli.local.LocalMesh;
import dev.ambit.cli.local.RootCheck;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ambit down}: stops the local mesh and removes everything it created. */
@Command(
    name = "down",
    description =
        "Stop the local mesh and remove every process, namespace, link, rule and file it created.")
final class DownCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--home", description = "Ambit home (default: $AMBIT_HOME, else ~/.ambit).")
  Path home;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    if (!RootCheck.isRoot()) {
      spec.commandLine().getErr().println(RootCheck.message("down"));
      return 1;
    }
    if (!LocalMesh.down(AmbitHome.resolve(home), out)) {
      out.println(
          "No local mesh is running (nothing recorded in "
              + AmbitHome.resolve(home).stateFile()
              + ").");
    }
    return 0;
  }
}
