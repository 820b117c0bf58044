package dev.ambit.waypoint.proxy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One JSON line per request on the logger {@code dev.ambit.waypoint.access}. */
final class AccessLog {

  static final Logger LOG = LoggerFactory.getLogger("dev.ambit.waypoint.access");
  private static final JsonFactory JSON = new JsonFactory();

  private AccessLog() {}

  static void log(Exchange ex, int status, long bytesSent, double durationMs, String grpcStatus) {
    if (!LOG.isInfoEnabled()) {
      return;
    }
    StringWriter w = new StringWriter(512);
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField(
          "start_time", Instant.now().minusNanos((long) (durationMs * 1e6)).toString());
      g.writeStringField("method", ex.request.method().name());
      g.writeStringField("path", ex.request.uri());
      g.writeStringField("authority", ex.request.headers().get(HttpHeaderNames.HOST, ""));
      g.writeStringField("protocol", ex.protocol == Protocol.HTTP2 ? "HTTP/2" : "HTTP/1.1");
      g.writeNumberField("response_code", status);
      g.writeStringField("grpc_status", grpcStatus);
      g.writeStringField("response_flags", ex.flag.label());
      g.writeNumberField("duration_ms", Math.round(durationMs * 1000) / 1000.0);
      g.writeNumberField("bytes_received", ex.body.bytes());
      g.writeNumberField("bytes_sent", bytesSent);
      g.writeNumberField("attempts", ex.attempts);
      g.writeStringField("source_principal", ex.downstream.principal());
      g.writeStringField(
          "source_address",
          ex.downstream.sourceIp() == null ? "" : ex.downstream.sourceIp().getHostAddress());
      g.writeStringField("destination", ex.downstream.destinationName());
      g.writeStringField("route", ex.route == null ? "" : ex.route.rule().routeKey());
      g.writeStringField("upstream_service", ex.backend == null ? "" : ex.backend.key());
      g.writeStringField("upstream_host", ex.endpoint == null ? "" : ex.endpoint.authority());
      g.writeStringField("trace_id", ex.traceId);
      g.writeStringField("user_agent", ex.request.headers().get(HttpHeaderNames.USER_AGENT, ""));
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    LOG.info(w.toString());
  }
}
