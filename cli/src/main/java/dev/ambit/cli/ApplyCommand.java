package dev.ambit.cli;

import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.ApplyRequest;
import dev.ambit.proto.control.ApplyResponse;
import dev.ambit.proto.control.ApplyResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ambit apply -f FILE|DIR|-}: validates and stores config, all or nothing. */
@Command(
    name = "apply",
    description = "Create or update config objects from YAML files (all or nothing).")
final class ApplyCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ControlConnection control;

  @Option(
      names = {"-f", "--filename"},
      required = true,
      paramLabel = "FILE|DIR|-",
      description = "YAML file, directory of .yaml/.yml/.json files, or - for stdin.")
  List<String> files;

  @Option(names = "--dry-run", description = "Validate only; change nothing.")
  boolean dryRun;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    ApplyRequest request;
    try {
      request =
          ApplyRequest.newBuilder()
              .addAllSources(ConfigFiles.read(files, System.in))
              .setDryRun(dryRun)
              .build();
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    try (ManagementClient client = control.connect()) {
      ApplyResponse response = client.stub().apply(request);
      for (ApplyResult r : response.getResultsList()) {
        out.println(
            r.getRef().getKind().toLowerCase(Locale.ROOT)
                + "/"
                + r.getRef().getName()
                + " "
                + r.getAction()
                + (dryRun ? " (dry run)" : ""));
      }
      return 0;
    } catch (RuntimeException e) {
      return ControlConnection.fail(err, e);
    }
  }
}
