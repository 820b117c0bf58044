package dev.ambit.cli;

import picocli.CommandLine;

/**
 * Entry point of the ztunnels {@code ambit up} starts: {@code ambit ztunnel} without the rest of
 * the command tree. Building {@link Main}'s tree reflects over every command and its option types,
 * which loads several hundred classes (the JSON and YAML libraries of other commands among them)
 * that then stay in a long-running ztunnel's memory.
 */
public final class ZtunnelMain {

  private ZtunnelMain() {}

  /** The arguments of {@code ambit ztunnel}, without the word {@code ztunnel}. */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ZtunnelCommand()).execute(args));
  }
}
