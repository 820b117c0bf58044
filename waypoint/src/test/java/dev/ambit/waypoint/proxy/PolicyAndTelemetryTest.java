package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.proto.waypoint.Action;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.waypoint.Operation;
import dev.ambit.proto.waypoint.Rule;
import dev.ambit.proto.waypoint.Source;
import dev.ambit.proto.waypoint.TargetRef;
import dev.ambit.waypoint.testing.Harness;
import dev.ambit.waypoint.testing.TestClient;
import dev.ambit.waypoint.tracing.OtelRequestTracer;
import io.netty.handler.codec.http.HttpMethod;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** L7 policy answers, what the waypoint serves, metrics labels, gRPC and spans. */
class PolicyAndTelemetryTest {

  final InMemorySpanExporter spans = InMemorySpanExporter.create();
  Harness h;

  @AfterEach
  void stop() {
    h.close();
  }

  static L7Authorization policy(String name, Action action, Rule rule) {
    return L7Authorization.newBuilder()
        .setName(name)
        .setNamespace("shop")
        .setAction(action)
        .addTargets(TargetRef.newBuilder().setKind("Service").setName("reviews"))
        .addRules(rule)
        .build();
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void allowAndDenyPoliciesAnswer200And403(boolean http2) throws Exception {
    h = new Harness();
    h.config(
        List.of(),
        List.of(
            policy(
                "allow-get",
                Action.ALLOW,
                Rule.newBuilder()
                    .addFrom(Source.newBuilder().addPrincipals("cluster.local/ns/shop/sa/curl"))
                    .addTo(Operation.newBuilder().addMethods("GET").addPaths("/public/*"))
                    .build()),
            policy(
                "deny-secret",
                Action.DENY,
                Rule.newBuilder()
                    .addTo(Operation.newBuilder().addPaths("/public/secret"))
                    .build())));
    InetSocketAddress to = h.reviews();
    try (TestClient c = http2 ? TestClient.http2(h.group, to) : TestClient.http1(h.group, to)) {
      assertThat(c.get("/public/page").status()).isEqualTo(200);
      TestClient.Response denied = c.get("/public/secret");
      assertThat(denied.status()).isEqualTo(403);
      assertThat(denied.body()).isEqualTo("RBAC: access denied");
      assertThat(c.send(HttpMethod.POST, "/public/page", "x").status()).isEqualTo(403);
      assertThat(c.get("/private").status()).isEqualTo(403);
    }
    assertThat(h.v1.requestCount.get() + h.v2.requestCount.get()).isEqualTo(1);
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains(
                        "response_code=\"403\",grpc_response_status=\"\",response_flags=\"UAEX\"} 3"));
  }

  @Test
  void servesOnlyDestinationsBoundToThisWaypoint() throws Exception {
    h = new Harness();
    InetAddress src = InetAddress.getByName("10.241.1.50");
    assertThat(h.proxy.resolve(addr("10.96.0.10", 9080), Harness.CLIENT, src, null)).isPresent();
    assertThat(h.proxy.resolve(addr("10.96.0.10", 9999), Harness.CLIENT, src, null))
        .as("unknown port")
        .isEmpty();
    assertThat(h.proxy.resolve(addr("10.96.0.13", 9080), Harness.CLIENT, src, null))
        .as("service without this waypoint")
        .isEmpty();
    assertThat(h.proxy.resolve(addr("10.99.9.9", 80), Harness.CLIENT, src, null))
        .as("unknown address")
        .isEmpty();
  }

  static InetSocketAddress addr(String ip, int port) throws Exception {
    return new InetSocketAddress(InetAddress.getByName(ip), port);
  }

  @Test
  void metricsCarryTheRequestLabelsAndSpansContinueTheTrace() throws Exception {
    h =
        new Harness(
            ProxyOptions.defaults(),
            new OtelRequestTracer(
                OpenTelemetrySdk.builder()
                    .setTracerProvider(
                        SdkTracerProvider.builder()
                            .addSpanProcessor(SimpleSpanProcessor.create(spans))
                            .build())
                    .build()));
    h.config(
        List.of(
            Routes.route(
                dev.ambit.proto.waypoint.RouteRule.newBuilder()
                    .addBackends(Routes.backend("reviews-v2", 1))
                    .build())),
        List.of());
    String parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    try (TestClient c = TestClient.http1(h.group, h.reviews())) {
      assertThat(c.get("/", "traceparent", parent).status()).isEqualTo(200);
    }
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains(
                        "istio_requests_total{reporter=\"waypoint\",source_workload=\"curl\","
                            + "source_workload_namespace=\"shop\","
                            + "source_principal=\"spiffe://cluster.local/ns/shop/sa/curl\","
                            + "destination_workload=\"reviews-v2\",destination_workload_namespace=\"shop\","
                            + "destination_principal=\"spiffe://cluster.local/ns/shop/sa/reviews-v2\","
                            + "destination_service=\"reviews-v2.shop.svc.cluster.local\","
                            + "destination_service_name=\"reviews-v2\",destination_service_namespace=\"shop\","
                            + "request_protocol=\"http\",response_code=\"200\",grpc_response_status=\"\","
                            + "response_flags=\"-\"} 1"));
    assertThat(spans.getFinishedSpanItems()).hasSize(1);
    SpanData s = spans.getFinishedSpanItems().get(0);
    assertThat(s.getTraceId()).isEqualTo("4bf92f3577b34da6a3ce929d0e0e4736");
    assertThat(s.getParentSpanId()).isEqualTo("00f067aa0ba902b7");
    assertThat(s.getAttributes().get(AttributeKey.stringKey("ambit.upstream")))
        .isEqualTo("10.241.1.12:8080");
    assertThat(s.getAttributes().get(AttributeKey.longKey("http.response.status_code")))
        .isEqualTo(200L);
    assertThat(h.v2.received.get(0).headers().get("traceparent"))
        .as("the backend continues the trace as a child of the waypoint's span")
        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-" + s.getSpanId() + "-01");
  }

  @Test
  void grpcOverHttp2KeepsTrailersAndIsLabelledGrpc() throws Exception {
    h = new Harness();
    try (TestClient c = TestClient.http2(h.group, h.reviews())) {
      TestClient.Response ok =
          c.send(
              HttpMethod.POST,
              "/echo.Echo/Say",
              "\0\0\0\0\0",
              "content-type",
              "application/grpc",
              "te",
              "trailers");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.trailers()).containsEntry("grpc-status", "0");
      assertThat(ok.echo("h:te")).isEqualTo("trailers");
      TestClient.Response unavailable =
          c.send(
              HttpMethod.POST,
              "/echo.Echo/Say",
              "\0\0\0\0\0",
              "content-type",
              "application/grpc",
              "x-echo-grpc-status",
              "14");
      assertThat(unavailable.trailers()).containsEntry("grpc-status", "14");
    }
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains(
                        "request_protocol=\"grpc\",response_code=\"200\",grpc_response_status=\"0\"")
                    .contains(
                        "request_protocol=\"grpc\",response_code=\"200\",grpc_response_status=\"14\""));
  }
}
