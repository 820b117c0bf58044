package dev.ambit.cli;

import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.DeleteRequest;
import dev.ambit.proto.control.DeleteResponse;
import dev.ambit.proto.control.ObjectRef;
import java.io.IOException;
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

/** {@code ambit delete -f FILE|DIR|-} or {@code ambit delete KIND NAME... [-n NS]}. */
@Command(name = "delete", description = "Delete config objects by file or by kind and name.")
final class DeleteCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ControlConnection control;

  @Option(
      names = {"-f", "--filename"},
      paramLabel = "FILE|DIR|-",
      description = "Delete the objects these files describe.")
  List<String> files;

  @Parameters(paramLabel = "KIND NAME", description = "A kind followed by one or more names.")
  List<String> kindAndNames;

  @Option(
      names = {"-n", "--namespace"},
      paramLabel = "NS",
      description = "Namespace (default: default).")
  String namespace;

  @Option(names = "--ignore-not-found", description = "Succeed when an object does not exist.")
  boolean ignoreNotFound;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    DeleteRequest.Builder request = DeleteRequest.newBuilder().setIgnoreNotFound(ignoreNotFound);
    try {
      if (files != null) {
        request.addAllSources(ConfigFiles.read(files, System.in));
      }
    } catch (IOException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
    if (kindAndNames != null) {
      if (kindAndNames.size() < 2) {
        err.println("error: give a kind and at least one name, or -f FILE");
        return 2;
      }
      for (String n : kindAndNames.subList(1, kindAndNames.size())) {
        request.addRefs(
            ObjectRef.newBuilder()
                .setKind(kindAndNames.getFirst())
                .setNamespace(namespace == null ? "" : namespace)
                .setName(n));
      }
    }
    if (request.getRefsCount() == 0 && request.getSourcesCount() == 0) {
      err.println("error: give -f FILE or KIND NAME");
      return 2;
    }
    try (ManagementClient client = control.connect()) {
      DeleteResponse response = client.stub().delete(request.build());
      for (ObjectRef r : response.getDeletedList()) {
        out.println(r.getKind().toLowerCase(Locale.ROOT) + " \"" + r.getName() + "\" deleted");
      }
      return 0;
    } catch (RuntimeException e) {
      return ControlConnection.fail(err, e);
    }
  }
}
