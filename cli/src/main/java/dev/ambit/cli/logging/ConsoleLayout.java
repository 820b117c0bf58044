package dev.ambit.cli.logging;

import ch.qos.logback.classic.pattern.TargetLengthBasedClassNameAbbreviator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * One line per event, {@code HH:mm:ss.SSS LEVEL [thread] abbreviated.Logger - message}, followed by
 * the stack trace of an exception if there is one: the layout logback's pattern {@code
 * %d{HH:mm:ss.SSS} %-5level [%thread] %logger{24} - %msg%n} gives, without its pattern parser.
 */
final class ConsoleLayout extends LayoutBase<ILoggingEvent> {

  private final TargetLengthBasedClassNameAbbreviator abbreviator =
      new TargetLengthBasedClassNameAbbreviator(24);
  private final ZoneId zone = ZoneId.systemDefault();

  @Override
  public String doLayout(ILoggingEvent event) {
    StringBuilder line = new StringBuilder(128);
    LocalTime time = LocalTime.ofInstant(Instant.ofEpochMilli(event.getTimeStamp()), zone);
    pad(line, time.getHour(), 2).append(':');
    pad(line, time.getMinute(), 2).append(':');
    pad(line, time.getSecond(), 2).append('.');
    pad(line, time.getNano() / 1_000_000, 3).append(' ');
    String level = event.getLevel().toString();
    line.append(level).repeat(' ', Math.max(0, 5 - level.length()));
    line.append(" [").append(event.getThreadName()).append("] ");
    line.append(abbreviator.abbreviate(event.getLoggerName())).append(" - ");
    line.append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
    IThrowableProxy thrown = event.getThrowableProxy();
    if (thrown != null) {
      line.append(ThrowableProxyUtil.asString(thrown));
    }
    return line.toString();
  }

  private static StringBuilder pad(StringBuilder line, int value, int digits) {
    String s = Integer.toString(value);
    return line.repeat('0', digits - s.length()).append(s);
  }
}
