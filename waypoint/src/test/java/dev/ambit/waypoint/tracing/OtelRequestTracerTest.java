package dev.ambit.waypoint.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ambit.waypoint.proxy.RequestSpan;
import dev.ambit.waypoint.proxy.RequestTracer;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class OtelRequestTracerTest {

  @Test
  void withoutOtelVariablesOnlyPropagates() {
    RequestTracer t = OtelRequestTracer.fromEnvironment(Map.of(), "waypoint");
    assertThat(t).isSameAs(RequestTracer.PROPAGATE_ONLY);
    RequestTracer.Span s =
        t.start("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "svc");
    assertThat(s.traceparent()).startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-").endsWith("-01");
    assertThat(t.start("garbage", "svc").traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
  }

  @Test
  void exportsSpansOverOtlpToTheConfiguredEndpoint() throws Exception {
    List<byte[]> bodies = new CopyOnWriteArrayList<>();
    List<String> paths = new CopyOnWriteArrayList<>();
    HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext(
        "/",
        ex -> {
          paths.add(ex.getRequestURI().getPath());
          bodies.add(ex.getRequestBody().readAllBytes());
          ex.sendResponseHeaders(200, -1);
          ex.close();
        });
    collector.start();
    try (RequestTracer tracer =
        OtelRequestTracer.fromEnvironment(
            Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT",
                "http://127.0.0.1:" + collector.getAddress().getPort(),
                "OTEL_EXPORTER_OTLP_PROTOCOL",
                "http/protobuf",
                "OTEL_BSP_SCHEDULE_DELAY",
                "20"),
            "waypoint")) {
      RequestTracer.Span span =
          tracer.start("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "shop/reviews");
      assertThat(span.traceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
      span.end(
          new RequestSpan(
              "GET", "/", "reviews", "http", "shop/reviews", "10.0.0.1:8080", 200, "-"));
      byte[] traceId = HexFormat.of().parseHex("4bf92f3577b34da6a3ce929d0e0e4736");
      await().until(() -> bodies.stream().anyMatch(b -> contains(b, traceId)));
      assertThat(paths).contains("/v1/traces");
    } finally {
      collector.stop(0);
    }
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
