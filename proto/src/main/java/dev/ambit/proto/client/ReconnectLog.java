package dev.ambit.proto.client;

import io.grpc.Status;
import java.time.Duration;
import org.slf4j.Logger;

/**
 * Logging for a stream that reconnects while its server is away: one warning when the stream is
 * lost and one more each time the reason or the retry delay changes (the backoff steps up), then
 * silence (debug) while it keeps failing the same way, and one line when it is back. Reasons are
 * one line: a gRPC status code, its description and the cause's message, never a stack trace.
 */
public final class ReconnectLog {

  private final Logger log;
  private final String what;
  private String lastReason;
  private long lastDelay = -1;
  private int failures;

  /** {@code what} names the stream in log lines, e.g. "xDS stream". */
  public ReconnectLog(Logger log, String what) {
    this.log = log;
    this.what = what;
  }

  /** The stream failed for {@code reason}; it is retried in {@code retryIn}. */
  public synchronized void failed(String reason, Duration retryIn) {
    failures++;
    long delay = retryIn.toMillis();
    if (reason.equals(lastReason) && delay == lastDelay) {
      log.debug("{} lost again ({}); retrying in {} ms", what, reason, delay);
      return;
    }
    if (failures == 1) {
      log.warn("{} lost ({}); retrying in {} ms", what, reason, delay);
    } else {
      log.warn(
          "{} still down after {} attempts ({}); retrying every {} ms",
          what,
          failures,
          reason,
          delay);
    }
    lastReason = reason;
    lastDelay = delay;
  }

  /** The stream works again. */
  public synchronized void restored() {
    if (failures > 0) {
      log.info("{} restored after {} failed attempts", what, failures);
    }
    failures = 0;
    lastReason = null;
    lastDelay = -1;
  }

  /** One line for a failed call: "UNAVAILABLE: io exception (Connection refused)". */
  public static String describe(Throwable t) {
    Status s = Status.fromThrowable(t);
    StringBuilder b = new StringBuilder(s.getCode().name());
    if (s.getDescription() != null) {
      b.append(": ").append(s.getDescription());
    }
    Throwable cause = s.getCause();
    while (cause != null && cause.getCause() != null && cause.getMessage() == null) {
      cause = cause.getCause();
    }
    if (cause != null && cause.getMessage() != null) {
      b.append(" (").append(rootMessage(cause)).append(')');
    }
    return b.toString();
  }

  private static String rootMessage(Throwable t) {
    String m = t.getMessage();
    // Netty's connect failures read "finishConnect(..) failed: Connection refused: /1.2.3.4:15012".
    int colon = m.indexOf("failed: ");
    return colon >= 0 ? m.substring(colon + 8) : m;
  }
}
