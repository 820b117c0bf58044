package dev.ambit.cli;

import java.util.Arrays;
import picocli.CommandLine;

/**
 * Entry point of the ztunnels {@code ambit up} starts and of the ztunnel image: {@code ambit
 * ztunnel} without the rest of the command tree. Building {@link Main}'s tree reflects over every
 * command and its option types, which loads several hundred classes (the JSON and YAML libraries of
 * other commands among them) that then stay in a long-running ztunnel's memory.
 */
public final class ZtunnelMain {

  private ZtunnelMain() {}

  /**
   * The arguments of {@code ambit ztunnel}, with or without the word {@code ztunnel} first (the
   * image's arguments, as for {@code ambit}, start with it).
   */
  public static void main(String[] args) {
    System.exit(new CommandLine(new ZtunnelCommand()).execute(withoutCommandName(args)));
  }

  static String[] withoutCommandName(String[] args) {
    return args.length > 0 && args[0].equals("ztunnel")
        ? Arrays.copyOfRange(args, 1, args.length)
        : args;
  }
}
