package dev.ambit.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code ambit test} is run by the launcher script itself (it needs Maven and the JDK, not the
 * built CLI); this entry only documents it and explains when it is reached by other means.
 */
@Command(
    name = "test",
    description = "Run the whole test suite (./ambit test [maven args]; handled by the launcher).")
final class TestCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine()
        .getErr()
        .println("ambit test: run it through the ./ambit launcher at the repository root");
    return 2;
  }
}
