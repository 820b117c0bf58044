package dev.ambit.cli;

import dev.ambit.api.ConfigError;
import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import dev.ambit.api.Resource;
import dev.ambit.api.Validation;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code ambit validate FILE|DIR|-...}: reads configuration the way {@code ambit apply} would (one
 * set: every error, objects defined twice) without applying it. Prints {@code ok} with the number
 * of objects, or one {@code file:line: field: message} line per error and exits 1.
 */
@Command(
    name = "validate",
    description = {
      "Check configuration files without applying them.",
      "Prints 'ok' and the number of objects, or one error per line (file:line: field: message)"
          + " and exits 1."
    })
final class ValidateCommand implements Callable<Integer> {

  /** The name standard input has in error messages. */
  static final String STDIN_NAME = "<stdin>";

  @Spec CommandSpec spec;

  @Parameters(
      arity = "1..*",
      paramLabel = "FILE|DIR|-",
      description = "YAML/JSON files, directories (read recursively) or - for standard input.")
  List<String> inputs;

  InputStream stdin = System.in;

  @Override
  public Integer call() {
    List<ConfigError> errors = new ArrayList<>();
    List<Resource<?>> resources = new ArrayList<>();
    List<Path> paths = new ArrayList<>();
    boolean readStdin = false;
    for (String input : inputs) {
      if (input.equals("-")) {
        readStdin = true;
      } else {
        paths.add(Path.of(input));
      }
    }
    if (!paths.isEmpty()) {
      collect(() -> ConfigReader.read(paths), resources, errors);
    }
    if (readStdin) {
      collect(
          () -> ConfigReader.read(STDIN_NAME, new InputStreamReader(stdin, StandardCharsets.UTF_8)),
          resources,
          errors);
    }
    if (errors.isEmpty()) {
      errors.addAll(Validation.duplicates(resources));
    }
    if (!errors.isEmpty()) {
      PrintWriter err = spec.commandLine().getErr();
      errors.forEach(err::println);
      err.flush();
      return 1;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println("ok (" + resources.size() + (resources.size() == 1 ? " object)" : " objects)"));
    out.flush();
    return 0;
  }

  private interface Read {
    List<Resource<?>> read() throws ConfigException;
  }

  private static void collect(Read read, List<Resource<?>> resources, List<ConfigError> errors) {
    try {
      resources.addAll(read.read());
    } catch (ConfigException e) {
      errors.addAll(e.errors());
    }
  }
}
