package dev.ambit.node.net;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs short system commands (ip, iptables) and surfaces every failure with its stderr. */
public final class Commands {
  private static final Logger log = LoggerFactory.getLogger(Commands.class);

  private Commands() {}

  /** Runs the command and returns its stdout; throws {@link CommandException} on non-zero exit. */
  public static String run(String... command) {
    return run(List.of(command), null);
  }

  public static String run(List<String> command) {
    return run(command, null);
  }

  /** Runs the command with {@code stdin} fed to it (may be null). */
  public static String run(List<String> command, String stdin) {
    Result r = exec(command, stdin);
    if (r.exitCode != 0) {
      throw new CommandException(command, r.exitCode, r.stderr);
    }
    return r.stdout;
  }

  /** Runs the command, logging but not throwing on failure; returns whether it succeeded. */
  public static boolean runQuietly(String... command) {
    Result r = exec(List.of(command), null);
    if (r.exitCode != 0) {
      log.debug("ignored failure of {}: {}", String.join(" ", command), r.stderr.strip());
    }
    return r.exitCode == 0;
  }

  /** Runs a command inside a network namespace ({@code ip netns exec NS ...}). */
  public static List<String> inNetns(String netns, String... command) {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", netns));
    full.addAll(List.of(command));
    return full;
  }

  /** The outcome of a command. */
  public record Result(int exitCode, String stdout, String stderr) {}

  public static Result exec(List<String> command, String stdin) {
    log.debug("exec: {}", String.join(" ", command));
    ProcessBuilder pb = new ProcessBuilder(command);
    if (stdin == null) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    }
    try {
      Process p = pb.start();
      CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
      if (stdin != null) {
        try (var in = p.getOutputStream()) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      String out = read(p.getInputStream());
      int code = p.waitFor();
      return new Result(code, out, err.join());
    } catch (IOException e) {
      throw new CommandException(command, -1, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CommandException(command, -1, "interrupted");
    }
  }

  private static String read(InputStream in) {
    try (in) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
