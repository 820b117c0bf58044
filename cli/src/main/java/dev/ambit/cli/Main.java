package dev.ambit.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code ambit} command. */
@Command(
    name = "ambit",
    mixinStandardHelpOptions = true,
    // Every verb gets --help and --version, not only those that declare them.
    scope = CommandLine.ScopeType.INHERIT,
    versionProvider = VersionCommand.Provider.class,
    description = "Ambit: an ambient service mesh (secure L4 overlay per node, L7 waypoints).",
    subcommands = {
      UpCommand.class,
      DownCommand.class,
      StatusCommand.class,
      ExecCommand.class,
      LogsCommand.class,
      ApplyCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      DescribeCommand.class,
      LabelCommand.class,
      WaypointCommand.class,
      ValidateCommand.class,
      VersionCommand.class,
      CompletionCommand.class,
      TestCommand.class,
      ControlCommand.class,
      ZtunnelCommand.class,
      WaypointProxyCommand.class,
      NodeAgentCommand.class,
      CniCommand.class,
      InstallCommand.class,
      CniInstallCommand.class,
      ImageCommand.class
    })
public final class Main {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    CommandLine cmd = new CommandLine(new Main());
    cmd.setCaseInsensitiveEnumValuesAllowed(true);
    // Arguments such as `curl --data-binary @file` after `ambit exec POD --` belong to the
    // command run in the pod, so picocli must not expand @files itself.
    cmd.setExpandAtFiles(false);
    return cmd;
  }
}
