package dev.ambit.waypoint.proxy;

import java.util.concurrent.ThreadLocalRandom;

/**
 * W3C trace context for one hop: continues the caller's trace (or starts one) with a new span id
 * for the waypoint, and rewrites {@code traceparent} so the backend sees the waypoint as parent.
 */
record TraceContext(String traceId, String parentSpanId, String spanId, String flags) {

  private static final char[] HEX = "0123456789abcdef".toCharArray();

  static TraceContext continueOrStart(String traceparent) {
    if (traceparent != null) {
      String t = traceparent.trim();
      if (wellFormed(t)) {
        String traceId = t.substring(3, 35);
        String parent = t.substring(36, 52);
        if (!allZero(traceId) && !allZero(parent)) {
          return new TraceContext(traceId, parent, newId(1), t.substring(53, 55));
        }
      }
    }
    return new TraceContext(newId(2), "", newId(1), "01");
  }

  /** Version 00: {@code 00-<32 hex>-<16 hex>-<2 hex>}, lower-case hex digits only. */
  private static boolean wellFormed(String t) {
    if (t.length() != 55 || !t.startsWith("00-") || t.charAt(35) != '-' || t.charAt(52) != '-') {
      return false;
    }
    return hex(t, 3, 35) && hex(t, 36, 52) && hex(t, 53, 55);
  }

  private static boolean hex(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
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
