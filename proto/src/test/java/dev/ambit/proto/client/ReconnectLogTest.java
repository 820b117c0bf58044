package dev.ambit.proto.client;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.grpc.Status;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class ReconnectLogTest {

  private final Logger logger = (Logger) LoggerFactory.getLogger("reconnect-log-test");
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  @BeforeEach
  void capture() {
    appender.start();
    logger.addAppender(appender);
    logger.setLevel(Level.DEBUG);
  }

  @AfterEach
  void release() {
    logger.detachAppender(appender);
  }

  private static final RuntimeException REFUSED =
      Status.UNAVAILABLE
          .withDescription("io exception")
          .withCause(
              new ConnectException("finishConnect(..) failed: Connection refused: /10.0.0.1:15012"))
          .asRuntimeException();

  @Test
  void aServerAwayForLongLogsOneLinePerBackoffStepThenOneWhenBack() {
    ReconnectLog log = new ReconnectLog(logger, "xDS stream");
    long[] backoff = {100, 200, 400, 800, 1600, 3200, 5000};
    for (long ms : backoff) {
      log.failed(ReconnectLog.describe(REFUSED), Duration.ofMillis(ms));
    }
    for (int i = 0; i < 100; i++) {
      log.failed(ReconnectLog.describe(REFUSED), Duration.ofSeconds(5));
    }
    log.restored();

    assertThat(lines(Level.WARN)).hasSize(backoff.length);
    assertThat(lines(Level.WARN).getFirst())
        .isEqualTo(
            "xDS stream lost (UNAVAILABLE: io exception (Connection refused: /10.0.0.1:15012));"
                + " retrying in 100 ms");
    assertThat(lines(Level.WARN).getLast())
        .isEqualTo(
            "xDS stream still down after 7 attempts (UNAVAILABLE: io exception (Connection"
                + " refused: /10.0.0.1:15012)); retrying every 5000 ms");
    assertThat(lines(Level.INFO)).containsExactly("xDS stream restored after 107 failed attempts");
    assertThat(appender.list).allSatisfy(e -> assertThat(e.getThrowableProxy()).isNull());
  }

  @Test
  void aNewReasonIsLoggedAgain() {
    ReconnectLog log = new ReconnectLog(logger, "watch");
    log.failed("UNAVAILABLE: io exception", Duration.ofSeconds(1));
    log.failed("UNAVAILABLE: io exception", Duration.ofSeconds(1));
    log.failed("CANCELLED: stream reset", Duration.ofSeconds(1));
    assertThat(lines(Level.WARN)).hasSize(2);
    assertThat(lines(Level.DEBUG)).hasSize(1);
  }

  @Test
  void restoredWithoutFailuresSaysNothing() {
    new ReconnectLog(logger, "watch").restored();
    assertThat(appender.list).isEmpty();
  }

  @Test
  void describeIsOneLineWithoutTheStackTrace() {
    assertThat(ReconnectLog.describe(REFUSED))
        .isEqualTo("UNAVAILABLE: io exception (Connection refused: /10.0.0.1:15012)")
        .doesNotContain("\n");
    assertThat(ReconnectLog.describe(Status.CANCELLED.asRuntimeException())).isEqualTo("CANCELLED");
  }

  private List<String> lines(Level level) {
    return appender.list.stream()
        .filter(e -> e.getLevel() == level)
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }
}
