package dev.ambit.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/** The component commands' usage: {@code --help}, and how a proxy is told to authenticate. */
class ComponentCommandsTest {

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @ParameterizedTest
  @ValueSource(strings = {"control", "ztunnel", "waypoint-proxy", "node-agent", "cni"})
  void helpPrintsUsage(String command) {
    assertThat(run(command, "--help")).isZero();
    assertThat(out.toString()).startsWith("Usage: ambit " + command);
    assertThat(err.toString()).isEmpty();
  }

  static Stream<String> everyVerb() {
    return Main.commandLine().getSubcommands().keySet().stream();
  }

  @ParameterizedTest
  @MethodSource("everyVerb")
  void everyVerbAnswersHelp(String verb) {
    assertThat(run(verb, "--help")).isZero();
    assertThat(out.toString()).startsWith("Usage: ambit " + verb);
  }

  @ParameterizedTest
  @ValueSource(strings = {"ztunnel", "waypoint-proxy"})
  void proxiesOfferTokenAuthentication(String command) {
    assertThat(run(command, "--help")).isZero();
    assertThat(out.toString())
        .contains("--ca-token-file=PATH", "--ca-root=PATH", "--credentials=DIR");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ztunnel", "waypoint-proxy"})
  void aProxyNeedsCredentialsOrATokenWithItsRoot(String command) {
    String[] required = requiredArgs(command);
    assertThat(run(concat(required, "--ca-token-file", "/nonexistent/token"))).isEqualTo(2);
    assertThat(err.toString())
        .contains("either --credentials DIR or both --ca-token-file PATH and --ca-root PATH");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ztunnel", "waypoint-proxy"})
  void credentialsAndTokenExcludeEachOther(String command) {
    String[] required = requiredArgs(command);
    assertThat(
            run(
                concat(
                    required,
                    "--credentials",
                    "/nonexistent/creds",
                    "--ca-token-file",
                    "/nonexistent/token",
                    "--ca-root",
                    "/nonexistent/root.pem")))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("--credentials cannot be combined with --ca-token-file or --ca-root");
  }

  private static String[] requiredArgs(String command) {
    return command.equals("ztunnel")
        ? new String[] {"ztunnel", "--node", "n1", "--xds", "127.0.0.1:1", "--pods-socket", "p"}
        : new String[] {
          "waypoint-proxy",
          "--name",
          "w",
          "--namespace",
          "ns",
          "--node",
          "n1",
          "--xds",
          "127.0.0.1:1"
        };
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
