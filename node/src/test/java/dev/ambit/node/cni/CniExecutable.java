package dev.ambit.node.cni;

import java.io.IOException;
import java.io.PrintStream;

/** The plugin as an executable for the test (the product's entry is {@code ambit cni}). */
public final class CniExecutable {
  private CniExecutable() {}

  public static void main(String[] args) throws IOException {
    PrintStream stdout = System.out;
    System.setOut(System.err);
    System.exit(CniMain.run(stdout));
  }
}
