package dev.ambit.cli;

import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.LabelRequest;
import dev.ambit.proto.control.ObjectRef;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ambit label KIND NAME key=value... key-...}: set or remove labels. */
@Command(
    name = "label",
    description =
        "Set (key=value) or remove (key-) labels, e.g. ambit label namespace default istio.io/dataplane-mode=ambient")
final class LabelCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ControlConnection control;

  @Parameters(index = "0", paramLabel = "KIND")
  String kind;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Parameters(
      index = "2..*",
      arity = "1..*",
      paramLabel = "LABEL",
      description = "key=value to set, key- to remove")
  List<String> labels;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "Namespace (default: default).")
  String namespace;

  @Option(names = "--overwrite", description = "Allow changing the value of an existing label.")
  boolean overwrite;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    LabelRequest.Builder request =
        LabelRequest.newBuilder()
            .setRef(
                ObjectRef.newBuilder()
                    .setKind(kind)
                    .setName(name)
                    .setNamespace(namespace == null ? "" : namespace))
            .setOverwrite(overwrite);
    for (String l : labels) {
      int eq = l.indexOf('=');
      if (eq > 0) {
        request.putSet(l.substring(0, eq), l.substring(eq + 1));
      } else if (l.endsWith("-") && l.length() > 1) {
        request.addRemove(l.substring(0, l.length() - 1));
      } else {
        err.println("error: \"" + l + "\" is neither key=value nor key-");
        return 2;
      }
    }
    try (ManagementClient client = control.connect()) {
      client.stub().label(request.build());
      out.println(kind.toLowerCase(Locale.ROOT) + "/" + name + " labeled");
      return 0;
    } catch (RuntimeException e) {
      return ControlConnection.fail(err, e);
    }
  }
}
