package dev.ambit.cli;

import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.DescribeRequest;
import dev.ambit.proto.control.ObjectRef;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ambit describe pod|service NAME [-n NS]}: identity, node, waypoint, policies. */
@Command(
    name = "describe",
    description =
        "Explain a pod or service: identity, node, addresses, waypoint, policies that apply.")
final class DescribeCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ControlConnection control;

  @Parameters(index = "0", paramLabel = "KIND", description = "pod or service")
  String kind;

  @Parameters(index = "1", paramLabel = "NAME")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "Namespace (default: default).")
  String namespace;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    try (ManagementClient client = control.connect()) {
      String text =
          client
              .stub()
              .describe(
                  DescribeRequest.newBuilder()
                      .setRef(
                          ObjectRef.newBuilder()
                              .setKind(kind)
                              .setName(name)
                              .setNamespace(namespace == null ? "" : namespace))
                      .build())
              .getText();
      out.print(text);
      out.flush();
      return 0;
    } catch (RuntimeException e) {
      return ControlConnection.fail(spec.commandLine().getErr(), e);
    }
  }
}
