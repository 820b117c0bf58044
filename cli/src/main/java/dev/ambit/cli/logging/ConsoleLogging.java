package dev.ambit.cli.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The logging set-up of every {@code ambit} process, in code: components log to stderr (stdout
 * stays clean for command output), at the level of {@code AMBIT_LOG_LEVEL} (default INFO), Netty
 * and gRPC at WARN. Found by logback through the service loader before it looks for a configuration
 * file, so no XML parser and none of logback's configuration machinery is loaded (several hundred
 * classes, a few MiB of class metadata in each process).
 */
public final class ConsoleLogging extends ContextAwareBase implements Configurator {

  /** Environment variable (or system property) with the root level. */
  public static final String LEVEL_ENV = "AMBIT_LOG_LEVEL";

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    ConsoleLayout layout = new ConsoleLayout();
    layout.setContext(context);
    layout.start();
    LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
    encoder.setContext(context);
    encoder.setLayout(layout);
    encoder.start();
    ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
    appender.setContext(context);
    appender.setName("STDERR");
    appender.setTarget("System.err");
    appender.setEncoder(encoder);
    appender.start();

    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(rootLevel(), Level.INFO));
    root.addAppender(appender);
    context.getLogger("io.netty").setLevel(Level.WARN);
    context.getLogger("io.grpc").setLevel(Level.WARN);
    // gRPC asks unix sockets for SO_KEEPALIVE too, which they lack: noise for users.
    context.getLogger("io.netty.bootstrap").setLevel(Level.ERROR);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }

  private static String rootLevel() {
    String level = System.getProperty(LEVEL_ENV);
    if (level == null || level.isBlank()) {
      level = System.getenv(LEVEL_ENV);
    }
    return level == null || level.isBlank() ? "INFO" : level.strip();
  }
}
