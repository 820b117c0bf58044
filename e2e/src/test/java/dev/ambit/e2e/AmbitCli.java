package dev.ambit.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ./ambit} exactly as a user does, with its own {@code AMBIT_HOME} so a test never
 * touches a real mesh of the machine. The CLI the reactor just built is used as is.
 */
final class AmbitCli {

  /** What a command printed and how it ended. */
  record Result(int exitCode, String stdout, String stderr) {
    @Override
    public String toString() {
      return "exit " + exitCode + "\n--- stdout\n" + stdout + "\n--- stderr\n" + stderr;
    }
  }

  private static final long COMMAND_LIMIT_MINUTES = 5;

  private final Path root;
  private final Path home;

  AmbitCli(Path home) {
    this.root = repositoryRoot();
    this.home = home;
  }

  Path root() {
    return root;
  }

  Path home() {
    return home;
  }

  Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("ambit").toString());
    command.addAll(List.of(args));
    return exec(command);
  }

  /** Runs any host command (ip, iptables, tcpdump...) the same way. */
  Result exec(List<String> command) throws IOException, InterruptedException {
    Path out = Files.createTempFile(home, "out", ".txt");
    Path err = Files.createTempFile(home, "err", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    builder.environment().put("AMBIT_HOME", home.toString());
    builder.environment().put("AMBIT_SKIP_BUILD", "1");
    Process process = builder.start();
    // A hung command must not hang the build; this bounds it, it does not measure speed.
    if (!process.waitFor(COMMAND_LIMIT_MINUTES, TimeUnit.MINUTES)) {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly().waitFor();
      throw new AssertionError("command did not finish: " + command);
    }
    Result result =
        new Result(
            process.exitValue(),
            Files.readString(out, StandardCharsets.UTF_8),
            Files.readString(err, StandardCharsets.UTF_8));
    Files.deleteIfExists(out);
    Files.deleteIfExists(err);
    return result;
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isExecutable(dir.resolve("ambit"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("the ambit launcher was not found above " + Path.of(""));
    }
    return dir;
  }
}
