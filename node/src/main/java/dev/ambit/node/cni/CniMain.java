package dev.ambit.node.cni;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The CNI executable's body: CNI_COMMAND and friends in the environment, the configuration on
 * stdin, the result (or the spec's error object) written to {@code stdout}. The caller hands over
 * the real stdout and points System.out elsewhere, so nothing else can corrupt the result. Every
 * failure, also an unexpected one, ends as the spec's error object and a non-zero exit status.
 */
public final class CniMain {
  /** A network configuration is a few KiB; more than this is refused unread. */
  static final int MAX_CONFIG_BYTES = 1 << 20;

  private CniMain() {}

  /** Runs the plugin with this process's environment and stdin; returns the exit status. */
  public static int run(PrintStream stdout) throws IOException {
    return run(System.in, System.getenv(), stdout);
  }

  static int run(InputStream in, Map<String, String> env, PrintStream stdout) throws IOException {
    try {
      stdout.print(new CniPlugin().invoke(env, read(in)));
      stdout.flush();
      return 0;
    } catch (CniPlugin.CniError e) {
      return fail(stdout, e);
    } catch (RuntimeException | StackOverflowError e) {
      return fail(stdout, new CniPlugin.CniError(999, "internal error: " + e));
    }
  }

  private static String read(InputStream in) throws IOException, CniPlugin.CniError {
    byte[] bytes = in.readNBytes(MAX_CONFIG_BYTES + 1);
    if (bytes.length > MAX_CONFIG_BYTES) {
      throw new CniPlugin.CniError(
          6, "the network configuration is larger than " + MAX_CONFIG_BYTES + " bytes");
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static int fail(PrintStream stdout, CniPlugin.CniError e) {
    stdout.print(CniPlugin.error("1.0.0", e));
    stdout.flush();
    return 1;
  }
}
