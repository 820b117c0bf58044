package dev.ambit.ztunnel.telemetry;

import dev.ambit.ztunnel.json.JsonWriter;
import java.net.InetSocketAddress;

/**
 * Renders the access-log line of a connection: one JSON object with its fields in a fixed order.
 * The fields every connection of a label set shares are rendered once per label set ({@link
 * Parts}); a connection appends its addresses, byte counts, duration and result to them. Strings
 * are escaped by {@link JsonWriter#quote}.
 */
final class AccessLogLine {

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
    JsonWriter.quote(out, a.getAddress().getHostAddress() + ":" + a.getPort());
  }

  /** {@code value} as a JSON string, or {@code null}. */
  private static void string(StringBuilder out, String value) {
    if (value == null) {
      out.append("null");
    } else {
      JsonWriter.quote(out, value);
    }
  }
}
