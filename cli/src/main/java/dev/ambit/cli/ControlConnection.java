package dev.ambit.cli;

import dev.ambit.proto.client.ManagementClient;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * Shared {@code --home} option and connection to the control plane's management socket ({@code
 * <home>/control.sock}; home defaults to $AMBIT_HOME, then ~/.ambit).
 */
final class ControlConnection {

  @Option(
      names = "--home",
      paramLabel = "DIR",
      description = "Ambit state directory (default: $AMBIT_HOME or ~/.ambit).")
  Path home;

  Path home() {
    if (home != null) {
      return home;
    }
    String env = System.getenv("AMBIT_HOME");
    return env != null && !env.isBlank()
        ? Path.of(env)
        : Path.of(System.getProperty("user.home"), ".ambit");
  }

  ManagementClient connect() {
    // gRPC asks every client socket for SO_KEEPALIVE, which unix sockets do not have: not news.
    ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("io.netty.bootstrap"))
        .setLevel(ch.qos.logback.classic.Level.ERROR);
    return ManagementClient.connect(home().resolve("control.sock"));
  }

  /** Prints a call failure the way users expect to read it and returns the exit code. */
  static int fail(PrintWriter err, RuntimeException e) {
    if (e instanceof StatusRuntimeException s) {
      String d = s.getStatus().getDescription();
      err.println(
          "error: " + (d == null ? "control plane call failed: " + s.getStatus().getCode() : d));
    } else {
      err.println("error: " + e.getMessage());
    }
    err.flush();
    return 1;
  }
}
