package dev.ambit.node.net;

import java.util.List;

/** A system command (ip, iptables, ...) failed; the message names the command and its stderr. */
public final class CommandException extends RuntimeException {
  private final List<String> command;
  private final int exitCode;
  private final String stderr;

  public CommandException(List<String> command, int exitCode, String stderr) {
    super(
        "command failed (exit "
            + exitCode
            + "): "
            + String.join(" ", command)
            + (stderr.isBlank() ? "" : ": " + stderr.strip()));
    this.command = List.copyOf(command);
    this.exitCode = exitCode;
    this.stderr = stderr;
  }

  public List<String> command() {
    return command;
  }

  public int exitCode() {
    return exitCode;
  }

  public String stderr() {
    return stderr;
  }
}
