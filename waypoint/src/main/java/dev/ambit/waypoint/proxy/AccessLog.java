package dev.ambit.waypoint.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One JSON line per request on the logger {@code dev.ambit.waypoint.access}, rendered into one
 * string builder (it runs on the event loop, once per request).
 */
final class AccessLog {

  static final Logger LOG = LoggerFactory.getLogger("dev.ambit.waypoint.access");
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private AccessLog() {}

  static void log(Exchange ex, int status, long bytesSent, double durationMs, String grpcStatus) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    StringBuilder b = new StringBuilder(512);
    b.append('{');
    string(b, "start_time", Instant.now().minusNanos((long) (durationMs * 1e6)).toString());
    string(b, "method", ex.request.method().name());
    string(b, "path", ex.request.uri());
    string(b, "authority", ex.request.headers().get(HttpHeaderNames.HOST, ""));
    string(b, "protocol", ex.protocol == Protocol.HTTP2 ? "HTTP/2" : "HTTP/1.1");
    name(b, "response_code").append(status);
    string(b, "grpc_status", grpcStatus);
    string(b, "response_flags", ex.flag.label());
    name(b, "duration_ms").append(Math.round(durationMs * 1000) / 1000.0);
    name(b, "bytes_received").append(ex.body.bytes());
    name(b, "bytes_sent").append(bytesSent);
    name(b, "attempts").append(ex.attempts);
    string(b, "source_principal", ex.downstream.principal());
    string(
        b,
        "source_address",
        ex.downstream.sourceIp() == null ? "" : ex.downstream.sourceIp().getHostAddress());
    string(b, "destination", ex.downstream.destinationName());
    string(b, "route", ex.route == null ? "" : ex.route.rule().routeKey());
    string(b, "upstream_service", ex.backend == null ? "" : ex.backend.key());
    string(b, "upstream_host", ex.endpoint == null ? "" : ex.endpoint.authority());
    string(b, "trace_id", ex.traceId);
    string(b, "user_agent", ex.request.headers().get(HttpHeaderNames.USER_AGENT, ""));
    b.append('}');
    LOG.info(b.toString());
  }

  private static StringBuilder name(StringBuilder b, String name) {
    if (b.length() > 1) {
      b.append(',');
    }
    return b.append('"').append(name).append("\":");
  }

  /** A string field; null is written as JSON null. */
  private static void string(StringBuilder b, String name, String value) {
    name(b, name);
    if (value == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
