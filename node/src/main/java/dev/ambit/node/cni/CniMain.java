package dev.ambit.node.cni;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The CNI executable's body: CNI_COMMAND and friends in the environment, the configuration on
 * stdin, the result (or the spec's error object) written to {@code stdout}. The caller hands over
 * the real stdout and points System.out elsewhere, so nothing else can corrupt the result.
 */
public final class CniMain {
  private CniMain() {}

  /** Runs the plugin with this process's environment and stdin; returns the exit status. */
  public static int run(PrintStream stdout) throws IOException {
    String stdin = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
    try {
      stdout.print(new CniPlugin().invoke(System.getenv(), stdin));
      stdout.flush();
      return 0;
    } catch (CniPlugin.CniError e) {
      stdout.print(CniPlugin.error("1.0.0", e));
      stdout.flush();
      return 1;
    }
  }
}
