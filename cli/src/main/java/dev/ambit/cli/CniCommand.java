package dev.ambit.cli;

import dev.ambit.node.cni.CniMain;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/**
 * {@code ambit cni}: the chained CNI plugin (CNI_COMMAND etc. in the environment, the network
 * configuration on stdin, the result on stdout). Install as a plugin named {@code ambit} with a
 * two-line script: {@code #!/bin/sh} / {@code exec /path/to/ambit cni}.
 */
@Command(
    name = "cni",
    mixinStandardHelpOptions = true,
    hidden = true,
    description = "Run as a chained CNI plugin (see the CNI spec).")
final class CniCommand implements Callable<Integer> {
  @Override
  public Integer call() throws Exception {
    PrintStream stdout = System.out;
    System.setOut(System.err);
    return CniMain.run(stdout);
  }
}
