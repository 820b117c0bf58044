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

  static TraceContext continueOrStart(String traceparent) {
    if (traceparent != null) {
      var m = TRACEPARENT.matcher(traceparent.trim());
      if (m.matches() && !m.group(1).equals("0".repeat(32)) && !m.group(2).equals("0".repeat(16))) {
        return new TraceContext(m.group(1), m.group(2), newId(16), m.group(3));
      }
    }
    return new TraceContext(newId(32), "", newId(16), "01");
  }

  String traceparent() {
    return "00-" + traceId + "-" + spanId + "-" + flags;
  }

  private static String newId(int hexChars) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    StringBuilder b = new StringBuilder(hexChars);
    while (b.length() < hexChars) {
      long v = r.nextLong();
      if (v == 0) {
        continue;
      }
      b.append(String.format("%016x", v));
    }
    return b.substring(0, hexChars);
  }
}
