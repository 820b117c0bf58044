package dev.ambit.ztunnel.telemetry;

import java.net.InetSocketAddress;

/**
 * Renders the access-log line of a connection: one JSON object with its fields in a fixed order.
 * The fields every connection of a label set shares are rendered once per label set ({@link
 * Parts}); a connection appends its addresses, byte counts, duration and result to them. Strings
 * are escaped as JSON requires: quote, backslash and the control characters below U+0020 ({@code \b
 * \t \n \f \r} in their short form, the others as {@code \}{@code u00XX}); everything else is
 * written as it is.
 */
final class AccessLogLine {

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private AccessLogLine() {}

  /** The parts of a label set's lines before the source address, the destination and the bytes. */
  record Parts(String beforeSource, String beforeDestination, String beforeBytes) {

    static Parts of(ConnectionLabels l) {
      StringBuilder a = new StringBuilder(32);
      a.append("{\"reporter\":");
      string(a, l.reporter());
      a.append(",\"src.addr\":");
      StringBuilder b = new StringBuilder(160);
      field(b, "src.workload", l.sourceWorkload());
      field(b, "src.namespace", l.sourceWorkloadNamespace());
      field(b, "src.identity", l.sourcePrincipal());
      b.append(",\"dst.addr\":");
      StringBuilder c = new StringBuilder(200);
      field(c, "dst.service", l.destinationService());
      field(c, "dst.workload", l.destinationWorkload());
      field(c, "dst.namespace", l.destinationWorkloadNamespace());
      field(c, "dst.identity", l.destinationPrincipal());
      field(c, "security", l.connectionSecurityPolicy());
      c.append(",\"bytes_sent\":");
      return new Parts(a.toString(), b.toString(), c.toString());
    }
  }

  /** The whole line of one connection. */
  static String render(
      Parts parts,
      InetSocketAddress source,
      InetSocketAddress destination,
      long sent,
      long received,
      long durationMillis,
      String result) {
    StringBuilder out =
        new StringBuilder(
            parts.beforeSource().length()
                + parts.beforeDestination().length()
                + parts.beforeBytes().length()
                + 128);
    out.append(parts.beforeSource());
    address(out, source);
    out.append(parts.beforeDestination());
    address(out, destination);
    out.append(parts.beforeBytes())
        .append(sent)
        .append(",\"bytes_received\":")
        .append(received)
        .append(",\"duration_ms\":")
        .append(durationMillis)
        .append(",\"result\":");
    string(out, result);
    return out.append('}').toString();
  }

  private static void field(StringBuilder out, String name, String value) {
    out.append(",\"").append(name).append("\":");
    string(out, value);
  }

  private static void address(StringBuilder out, InetSocketAddress a) {
    if (a == null) {
      out.append("\"unknown\"");
      return;
    }
    out.append('"');
    escape(out, a.getAddress().getHostAddress());
    out.append(':').append(a.getPort()).append('"');
  }

  /** {@code value} as a JSON string, or {@code null}. */
  static void string(StringBuilder out, String value) {
    if (value == null) {
      out.append("null");
      return;
    }
    out.append('"');
    escape(out, value);
    out.append('"');
  }

  private static void escape(StringBuilder out, String value) {
    int start = 0;
    for (int i = 0; i < value.length(); i++) {
      char ch = value.charAt(i);
      if (ch >= 0x20 && ch != '"' && ch != '\\') {
        continue;
      }
      out.append(value, start, i);
      start = i + 1;
      switch (ch) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> out.append("\\u00").append(HEX[ch >> 4]).append(HEX[ch & 0xF]);
      }
    }
    out.append(value, start, value.length());
  }
}
