package dev.ambit.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code ambit version}: the release and the git commit it was built from. */
@Command(name = "version", description = "Print the version and git commit.")
final class VersionCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(describe());
    return 0;
  }

  static String describe() {
    Properties props = new Properties();
    try (InputStream in = VersionCommand.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        props.load(in);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return "ambit "
        + props.getProperty("version", "unknown")
        + " (commit "
        + props.getProperty("commit", "unknown")
        + ", java "
        + Runtime.version()
        + ")";
  }

  /** Feeds {@code --version}. */
  static final class Provider implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {describe()};
    }
  }
}
