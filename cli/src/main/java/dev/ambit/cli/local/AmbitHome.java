package dev.ambit.cli.local;

import java.nio.file.Path;

/**
 * The files of a local mesh under $AMBIT_HOME (default ~/.ambit): {@code mesh/state.json} names the
 * running mesh; {@code mesh/<prefix>/} holds its logs, node credentials, pods sockets and agent
 * state.
 */
public record AmbitHome(Path dir) {
  public static AmbitHome resolve(Path option) {
    if (option != null) {
      return new AmbitHome(option.toAbsolutePath());
    }
    String env = System.getenv("AMBIT_HOME");
    if (env != null && !env.isBlank()) {
      return new AmbitHome(Path.of(env).toAbsolutePath());
    }
    return new AmbitHome(Path.of(System.getProperty("user.home"), ".ambit"));
  }

  public Path controlSocket() {
    return dir.resolve("control.sock");
  }

  public Path stateFile() {
    return dir.resolve("mesh").resolve("state.json");
  }

  public Path meshDir(String prefix) {
    return dir.resolve("mesh").resolve(prefix);
  }

  public Path logsDir(String prefix) {
    return meshDir(prefix).resolve("logs");
  }

  public Path nodeDir(String prefix, String node) {
    return meshDir(prefix).resolve(node);
  }

  public Path credentialsDir(String prefix, String node) {
    return nodeDir(prefix, node).resolve("credentials");
  }

  public Path podsSocket(String prefix, String node) {
    return nodeDir(prefix, node).resolve("pods.sock");
  }
}
