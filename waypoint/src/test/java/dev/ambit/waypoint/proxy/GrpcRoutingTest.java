package dev.ambit.waypoint.proxy;

import static dev.ambit.waypoint.proxy.Routes.backend;
import static dev.ambit.waypoint.proxy.Routes.header;
import static dev.ambit.waypoint.proxy.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ambit.proto.waypoint.Filter;
import dev.ambit.proto.waypoint.Header;
import dev.ambit.proto.waypoint.HeaderModifier;
import dev.ambit.proto.waypoint.PathMatch;
import dev.ambit.proto.waypoint.Retry;
import dev.ambit.proto.waypoint.RouteMatch;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.waypoint.testing.Harness;
import io.grpc.CallOptions;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCalls;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The routing acceptance scenarios with an independent gRPC client and servers (grpc-java) on both
 * sides of the waypoint: weighted split, header and path (method name) matches, request header
 * modifiers, retries of UNAVAILABLE, trace continuation and gRPC metric labels.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GrpcRoutingTest {

  static final MethodDescriptor<byte[], byte[]> WHO = unary("test.Echo/Who");
  static final MethodDescriptor<byte[], byte[]> SPECIAL = unary("test.Echo/Special");

  static MethodDescriptor<byte[], byte[]> unary(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(name)
        .setRequestMarshaller(InteropTest.BYTES)
        .setResponseMarshaller(InteropTest.BYTES)
        .build();
  }

  /** What a backend saw of one call. */
  record Seen(String server, String method, Map<String, String> headers) {}

  final List<Seen> seen = new CopyOnWriteArrayList<>();
  final AtomicInteger v1Calls = new AtomicInteger();
  volatile boolean v1Flaky;
  Harness h;
  Server v1;
  Server v2;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    h = new Harness();
    v1 = server("v1");
    v2 = server("v2");
    h.connector.map("10.241.1.11:8080", new InetSocketAddress("127.0.0.1", v1.getPort()));
    h.connector.map("10.241.1.12:8080", new InetSocketAddress("127.0.0.1", v2.getPort()));
    InetSocketAddress to = h.reviews();
    channel =
        NettyChannelBuilder.forAddress(to.getHostString(), to.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    v1.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    v2.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    h.close();
  }

  Server server(String name) throws Exception {
    ServerCallHandler<byte[], byte[]> handler =
        ServerCalls.asyncUnaryCall(
            (req, out) -> {
              if (name.equals("v1") && v1Flaky && v1Calls.incrementAndGet() % 3 != 0) {
                out.onError(Status.UNAVAILABLE.asRuntimeException());
                return;
              }
              out.onNext(name.getBytes(StandardCharsets.UTF_8));
              out.onCompleted();
            });
    ServerInterceptor record =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            Map<String, String> h = new HashMap<>();
            for (String k : headers.keys()) {
              if (!k.endsWith("-bin")) {
                h.put(k, headers.get(Metadata.Key.of(k, Metadata.ASCII_STRING_MARSHALLER)));
              }
            }
            seen.add(new Seen(name, call.getMethodDescriptor().getFullMethodName(), h));
            return next.startCall(call, headers);
          }
        };
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(
            ServerInterceptors.intercept(
                ServerServiceDefinition.builder("test.Echo")
                    .addMethod(WHO, handler)
                    .addMethod(SPECIAL, handler)
                    .build(),
                record))
        .build()
        .start();
  }

  String call(MethodDescriptor<byte[], byte[]> m, String... headers) {
    Metadata md = new Metadata();
    for (int i = 0; i < headers.length; i += 2) {
      md.put(Metadata.Key.of(headers[i], Metadata.ASCII_STRING_MARSHALLER), headers[i + 1]);
    }
    byte[] reply =
        ClientCalls.blockingUnaryCall(
            ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md)),
            m,
            CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
            new byte[] {1});
    return new String(reply, StandardCharsets.UTF_8);
  }

  @Test
  void weightedSplitLandsWithinStatisticalBounds() {
    h.config(
        List.of(
            route(
                RouteRule.newBuilder()
                    .addBackends(backend("reviews-v1", 90))
                    .addBackends(backend("reviews-v2", 10))
                    .build())),
        List.of());
    int n = 1000;
    int toV2 = 0;
    for (int i = 0; i < n; i++) {
      if (call(WHO).equals("v2")) {
        toV2++;
      }
    }
    // Binomial(1000, 0.1): mean 100, standard deviation 9.5; 4 deviations either side.
    assertThat(toV2).isBetween(62, 138);
  }

  @Test
  void headerAndMethodNameMatchesPickTheBackendAndModifiersAreVisible() {
    h.config(
        List.of(
            route(
                RouteRule.newBuilder()
                    .addMatches(header("x-version", "v2"))
                    .addBackends(backend("reviews-v2", 1))
                    .build(),
                RouteRule.newBuilder()
                    .addMatches(
                        RouteMatch.newBuilder()
                            .setPath(
                                PathMatch.newBuilder()
                                    .setType(PathMatch.Type.EXACT)
                                    .setValue("/test.Echo/Special")))
                    .addFilters(
                        Filter.newBuilder()
                            .setRequestHeaderModifier(
                                HeaderModifier.newBuilder()
                                    .addSet(
                                        Header.newBuilder().setName("x-special").setValue("yes"))))
                    .addBackends(backend("reviews-v2", 1))
                    .build(),
                RouteRule.newBuilder().addBackends(backend("reviews-v1", 1)).build())),
        List.of());
    assertThat(call(WHO)).isEqualTo("v1");
    assertThat(call(WHO, "x-version", "v2")).isEqualTo("v2");
    assertThat(call(SPECIAL)).isEqualTo("v2");
    Seen special = seen.getLast();
    assertThat(special.method()).isEqualTo("test.Echo/Special");
    assertThat(special.headers()).containsEntry("x-special", "yes");
  }

  @Test
  void unavailableIsRetriedWithARetryPolicyAndReturnedWithout() {
    v1Flaky = true;
    RouteRule.Builder toV1 = RouteRule.newBuilder().addBackends(backend("reviews-v1", 1));
    h.config(List.of(route(toV1.build())), List.of());
    assertThatThrownBy(() -> call(WHO))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    v1Calls.set(0);
    h.config(List.of(route(toV1.setRetry(Retry.newBuilder().setAttempts(3)).build())), List.of());
    for (int i = 0; i < 3; i++) {
      assertThat(call(WHO)).isEqualTo("v1");
    }
    assertThat(v1Calls.get()).as("two failures before each success").isEqualTo(9);
  }

  @Test
  void clientTraceContinuesToTheBackendAndMetricsSayGrpc() {
    String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    String parent = "00-" + traceId + "-00f067aa0ba902b7-01";
    assertThat(call(WHO, "traceparent", parent)).isIn("v1", "v2");
    String atBackend = seen.getLast().headers().get("traceparent");
    assertThat(atBackend).startsWith("00-" + traceId + "-").doesNotContain("00f067aa0ba902b7");
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .containsPattern(
                        "istio_requests_total\\{reporter=\"waypoint\",source_workload=\"curl\","
                            + "[^}]*destination_service_name=\"reviews\"[^}]*"
                            + "request_protocol=\"grpc\",response_code=\"200\","
                            + "grpc_response_status=\"0\",response_flags=\"-\"\\} 1"));
  }
}
