package dev.ambit.waypoint.proxy;

import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * W3C trace context for one hop: continues the caller's trace (or starts one) with a new span id
 * for the waypoint, and rewrites {@code traceparent} so the backend sees the waypoint as parent.
 */
record TraceContext(String traceId, String parentSpanId, String spanId, String flags) {

  private static final Pattern TRACEPARENT =
      Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static TraceContext continueOrStart(String traceparent) {
    if (traceparent != null) {
      var m = TRACEPARENT.matcher(traceparent.trim());
      if (m.matches() && !allZero(m.group(1)) && !allZero(m.group(2))) {
        return new TraceContext(m.group(1), m.group(2), newId(1), m.group(3));
      }
    }
    return new TraceContext(newId(2), "", newId(1), "01");
  }

  String traceparent() {
    return "00-" + traceId + "-" + spanId + "-" + flags;
  }

  private static boolean allZero(String hex) {
    for (int i = 0; i < hex.length(); i++) {
      if (hex.charAt(i) != '0') {
        return false;
      }
    }
    return true;
  }

  /** A random id of {@code longs} x 16 lower-case hex digits, never all zero. */
  private static String newId(int longs) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[longs * 16];
    for (int i = 0; i < longs; i++) {
      long v;
      do {
        v = r.nextLong();
      } while (v == 0);
      for (int d = 15; d >= 0; d--) {
        out[i * 16 + d] = HEX[(int) (v & 0xf)];
        v >>>= 4;
      }
    }
    return new String(out);
  }
}
