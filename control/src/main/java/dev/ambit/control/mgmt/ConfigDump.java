package dev.ambit.control.mgmt;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import dev.ambit.control.state.MeshState;
import java.util.Map;
import java.util.TreeMap;

/** The computed mesh state as JSON, for {@code /debug/config_dump}. */
public final class ConfigDump {

  private static final JsonFormat.Printer PRINTER =
      JsonFormat.printer().omittingInsignificantWhitespace();

  private ConfigDump() {}

  public static String json(MeshState state) {
    StringBuilder out = new StringBuilder("{");
    out.append("\"configRevision\":").append(state.config().resourceVersion());
    section(out, "workloads", state.workloads());
    section(out, "services", state.services());
    section(out, "authorizations", state.authorizations());
    section(out, "httpRoutes", state.routes());
    section(out, "l7Authorizations", state.l7Authorizations());
    out.append(",\"problems\":{");
    boolean first = true;
    for (var e : new TreeMap<>(state.problems()).entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      out.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
    }
    out.append("}}");
    return out.toString();
  }

  private static void section(
      StringBuilder out, String name, Map<String, ? extends Message> items) {
    out.append(",\"").append(name).append("\":{");
    boolean first = true;
    for (var e : new TreeMap<>(items).entrySet()) {
      if (!first) {
        out.append(',');
      }
      first = false;
      try {
        out.append(quote(e.getKey())).append(':').append(PRINTER.print(e.getValue()));
      } catch (InvalidProtocolBufferException ex) {
        throw new IllegalStateException(ex);
      }
    }
    out.append('}');
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }
}
