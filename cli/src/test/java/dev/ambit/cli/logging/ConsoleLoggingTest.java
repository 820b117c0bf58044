package dev.ambit.cli.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ConsoleLoggingTest {

  @Test
  void theProcessIsConfiguredInCodeWithQuietNettyAndGrpc() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    assertThat(root.getAppender("STDERR")).isNotNull();
    assertThat(context.getLogger("io.netty.channel").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.grpc.internal").getEffectiveLevel()).isEqualTo(Level.WARN);
    assertThat(context.getLogger("io.netty.bootstrap.Bootstrap").getEffectiveLevel())
        .isEqualTo(Level.ERROR);
  }

  @Test
  void rootLevelComesFromTheSetting() {
    String before = System.getProperty(ConsoleLogging.LEVEL_ENV);
    System.setProperty(ConsoleLogging.LEVEL_ENV, "debug");
    try {
      LoggerContext context = new LoggerContext();
      ConsoleLogging logging = new ConsoleLogging();
      logging.setContext(context);
      logging.configure(context);
      assertThat(context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel()).isEqualTo(Level.DEBUG);
      context.stop();
    } finally {
      if (before == null) {
        System.clearProperty(ConsoleLogging.LEVEL_ENV);
      } else {
        System.setProperty(ConsoleLogging.LEVEL_ENV, before);
      }
    }
  }

  @Test
  void linesCarryTimeLevelThreadAbbreviatedLoggerAndMessage() {
    LoggerContext context = new LoggerContext();
    ConsoleLayout layout = new ConsoleLayout();
    layout.setContext(context);
    layout.start();
    Logger logger = context.getLogger("dev.ambit.ztunnel.proxy.InboundProxy");
    LoggingEvent event =
        new LoggingEvent(
            Logger.class.getName(),
            logger,
            Level.WARN,
            "denied {} -> {}",
            null,
            new Object[] {"a", 8});
    event.setThreadName("ztunnel-io-1");
    assertThat(layout.doLayout(event))
        .matches(
            "\\d\\d:\\d\\d:\\d\\d\\.\\d{3} WARN  \\[ztunnel-io-1\\] d\\.a\\.z\\.proxy\\.InboundProxy"
                + " - denied a -> 8"
                + System.lineSeparator());
  }

  @Test
  void exceptionsFollowWithTheirStackTrace() {
    LoggerContext context = new LoggerContext();
    ConsoleLayout layout = new ConsoleLayout();
    layout.setContext(context);
    Logger logger = context.getLogger("x");
    LoggingEvent event =
        new LoggingEvent(
            Logger.class.getName(),
            logger,
            Level.ERROR,
            "failed",
            new IllegalStateException("boom", new java.io.IOException("gone")),
            null);
    String text = layout.doLayout(event);
    assertThat(text)
        .contains(" ERROR [")
        .contains("] x - failed" + System.lineSeparator() + "java.lang.IllegalStateException: boom")
        .contains(
            "\tat dev.ambit.cli.logging.ConsoleLoggingTest.exceptionsFollowWithTheirStackTrace")
        .contains("Caused by: java.io.IOException: gone")
        .endsWith(System.lineSeparator());
  }
}
