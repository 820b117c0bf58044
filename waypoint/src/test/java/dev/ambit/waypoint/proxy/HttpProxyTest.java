package dev.ambit.waypoint.proxy;

import static dev.ambit.waypoint.proxy.Routes.backend;
import static dev.ambit.waypoint.proxy.Routes.header;
import static dev.ambit.waypoint.proxy.Routes.prefix;
import static dev.ambit.waypoint.proxy.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.proto.waypoint.Filter;
import dev.ambit.proto.waypoint.Header;
import dev.ambit.proto.waypoint.HeaderModifier;
import dev.ambit.proto.waypoint.Mirror;
import dev.ambit.proto.waypoint.PathModifier;
import dev.ambit.proto.waypoint.Redirect;
import dev.ambit.proto.waypoint.Rewrite;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.proto.workload.LoadBalancerAlgorithm;
import dev.ambit.waypoint.testing.EchoServer;
import dev.ambit.waypoint.testing.Harness;
import dev.ambit.waypoint.testing.TestClient;
import io.netty.handler.codec.http.HttpMethod;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Routing, filters and upstream behaviour over real loopback sockets, HTTP/1.1 and HTTP/2. */
class HttpProxyTest {

  Harness h;

  @BeforeEach
  void start() throws Exception {
    h = new Harness();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  TestClient client(boolean http2, InetSocketAddress to) throws Exception {
    return http2 ? TestClient.http2(h.group, to) : TestClient.http1(h.group, to);
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void withoutRouteGoesToTheOriginalServiceWithTraceContext(boolean http2) throws Exception {
    try (TestClient c = client(http2, h.reviews())) {
      TestClient.Response r = c.get("/reviews/1?x=y", "user-agent", "t");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.echo("name")).isIn("v1", "v2");
      assertThat(r.echo("uri")).isEqualTo("/reviews/1?x=y");
      assertThat(r.echo("h:traceparent")).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01");
      assertThat(r.echo("h:connection")).isNull();
      assertThat(r.header("x-served-by")).isEqualTo(r.echo("name"));

      String parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      TestClient.Response traced = c.get("/", "traceparent", parent);
      assertThat(traced.echo("h:traceparent"))
          .startsWith("00-0af7651916cd43dd8448eb211c80319c-")
          .doesNotContain("b7ad6b7169203331");
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void headerAndPathMatchesPickTheBackend(boolean http2) throws Exception {
    h.config(
        List.of(
            route(
                RouteRule.newBuilder()
                    .addMatches(header("x-version", "v2"))
                    .addBackends(backend("reviews-v2", 1))
                    .build(),
                RouteRule.newBuilder()
                    .addMatches(prefix("/v2"))
                    .addBackends(backend("reviews-v2", 1))
                    .build(),
                RouteRule.newBuilder()
                    .addMatches(
                        dev.ambit.proto.waypoint.RouteMatch.newBuilder().setMethod("DELETE"))
                    .addBackends(backend("reviews-v2", 1))
                    .build(),
                RouteRule.newBuilder().addBackends(backend("reviews-v1", 1)).build())),
        List.of());
    try (TestClient c = client(http2, h.reviews())) {
      for (int i = 0; i < 5; i++) {
        assertThat(c.send(HttpMethod.DELETE, "/x", "").echo("name")).isEqualTo("v2");
        assertThat(c.send(HttpMethod.PUT, "/x", "").echo("name")).isEqualTo("v1");
        assertThat(c.get("/x").echo("name")).isEqualTo("v1");
        assertThat(c.get("/x", "x-version", "v2").echo("name")).isEqualTo("v2");
        assertThat(c.get("/v2/items").echo("name")).isEqualTo("v2");
        assertThat(c.get("/v2x").echo("name")).isEqualTo("v1");
      }
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void weightedSplitLandsWithinStatisticalBounds(boolean http2) throws Exception {
    h.config(
        List.of(
            route(
                RouteRule.newBuilder()
                    .addBackends(backend("reviews-v1", 90))
                    .addBackends(backend("reviews-v2", 10))
                    .build())),
        List.of());
    Map<String, Integer> counts = new HashMap<>();
    try (TestClient c = client(http2, h.reviews())) {
      for (int i = 0; i < 1000; i++) {
        counts.merge(c.get("/").echo("name"), 1, Integer::sum);
      }
    }
    assertThat(counts.get("v1")).isBetween(860, 940);
    assertThat(counts.get("v2")).isBetween(60, 140);
    assertThat(h.connector.connects.get())
        .as("upstream connections are reused")
        .isLessThanOrEqualTo(4);
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void rewriteAndHeaderModifiersAreVisible(boolean http2) throws Exception {
    h.config(
        List.of(
            route(
                RouteRule.newBuilder()
                    .addMatches(prefix("/api"))
                    .addFilters(
                        Filter.newBuilder()
                            .setUrlRewrite(
                                Rewrite.newBuilder()
                                    .setHostname("internal.reviews")
                                    .setPath(
                                        PathModifier.newBuilder()
                                            .setType(PathModifier.Type.REPLACE_PREFIX_MATCH)
                                            .setValue("/v1"))))
                    .addFilters(
                        Filter.newBuilder()
                            .setRequestHeaderModifier(
                                HeaderModifier.newBuilder()
                                    .addSet(Header.newBuilder().setName("x-added").setValue("yes"))
                                    .addRemove("x-secret")))
                    .addFilters(
                        Filter.newBuilder()
                            .setResponseHeaderModifier(
                                HeaderModifier.newBuilder()
                                    .addAdd(Header.newBuilder().setName("x-resp").setValue("r"))
                                    .addRemove("x-served-by")))
                    .addBackends(backend("reviews-v1", 1))
                    .build())),
        List.of());
    try (TestClient c = client(http2, h.reviews())) {
      TestClient.Response r = c.get("/api/items?id=4", "x-secret", "s");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.echo("uri")).isEqualTo("/v1/items?id=4");
      assertThat(r.echo("h:x-added")).isEqualTo("yes");
      assertThat(r.echo("h:x-secret")).isNull();
      assertThat(r.echo("h:host")).isEqualTo("internal.reviews");
      assertThat(r.header("x-resp")).isEqualTo("r");
      assertThat(r.header("x-served-by")).isNull();
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void redirectAnswersWithLocation(boolean http2) throws Exception {
    h.config(
        List.of(
            route(
                RouteRule.newBuilder()
                    .addMatches(prefix("/old"))
                    .addFilters(
                        Filter.newBuilder()
                            .setRequestRedirect(
                                Redirect.newBuilder()
                                    .setScheme("https")
                                    .setStatusCode(301)
                                    .setPath(
                                        PathModifier.newBuilder()
                                            .setType(PathModifier.Type.REPLACE_PREFIX_MATCH)
                                            .setValue("/new"))))
                    .build())),
        List.of());
    try (TestClient c = client(http2, h.reviews())) {
      TestClient.Response r = c.get("/old/page?q=1");
      assertThat(r.status()).isEqualTo(301);
      assertThat(r.header("location"))
          .isEqualTo("https://reviews.shop.svc.cluster.local/new/page?q=1");
      assertThat(h.v1.requestCount.get() + h.v2.requestCount.get()).isZero();
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void mirrorSendsACopyAndIgnoresItsAnswer(boolean http2) throws Exception {
    h.config(
        List.of(
            route(
                RouteRule.newBuilder()
                    .addFilters(
                        Filter.newBuilder()
                            .setRequestMirror(
                                Mirror.newBuilder().setBackend(backend("reviews-v2", 0))))
                    .addBackends(backend("reviews-v1", 1))
                    .build())),
        List.of());
    h.v2.failStatus = 500;
    try (TestClient c = client(http2, h.reviews())) {
      TestClient.Response r = c.send(HttpMethod.POST, "/orders", "payload");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.echo("name")).isEqualTo("v1");
      await().until(() -> h.v2.requestCount.get() == 1);
      assertThat(h.v2.received.get(0).uri()).isEqualTo("/orders");
      assertThat(h.v2.received.get(0).headers().get("host"))
          .isEqualTo("reviews.shop.svc.cluster.local:9080-shadow");
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void requestBodyAndMethodReachTheBackend(boolean http2) throws Exception {
    try (TestClient c = client(http2, h.reviews())) {
      TestClient.Response r = c.send(HttpMethod.PUT, "/items/9", "{\"a\":1}");
      assertThat(r.echo("method")).isEqualTo("PUT");
      assertThat(r.echo("body")).isEqualTo("{\"a\":1}");
    }
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void removedEndpointsGetNoTrafficAndTheirConnectionsClose(boolean http2) throws Exception {
    try (TestClient c = client(http2, h.reviews())) {
      for (int i = 0; i < 20; i++) {
        c.get("/");
      }
      assertThat(h.v2.openConnections.get()).isEqualTo(1);
      h.config.update(
          h.mesh.addresses().stream()
              .filter(a -> !a.getWorkload().getName().equals("reviews-v2"))
              .toList(),
          List.of(),
          List.of());
      await().until(() -> h.v2.openConnections.get() == 0);
      int before = h.v2.requestCount.get();
      for (int i = 0; i < 20; i++) {
        assertThat(c.get("/").echo("name")).isEqualTo("v1");
      }
      assertThat(h.v2.requestCount.get()).isEqualTo(before);
    }
  }

  @org.junit.jupiter.api.Test
  void concurrentHttp2StreamsEachGetTheirOwnResponse() throws Exception {
    try (TestClient c = client(true, h.reviews())) {
      List<java.util.concurrent.CompletableFuture<TestClient.Response>> pending =
          new java.util.ArrayList<>();
      for (int i = 0; i < 50; i++) {
        pending.add(
            c.sendAsync(
                HttpMethod.GET, "/item/" + i, "", "x-echo-delay-ms", String.valueOf(50 - i)));
      }
      for (int i = 0; i < 50; i++) {
        TestClient.Response r = pending.get(i).get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.echo("uri")).isEqualTo("/item/" + i);
      }
    }
    assertThat(h.v1.connections.get() + h.v2.connections.get())
        .as("one multiplexed upstream connection per endpoint")
        .isLessThanOrEqualTo(2);
  }

  /**
   * The Service's load-balancing choice (annotation {@code ambit.dev/load-balancer}) applies to the
   * next request after a configuration update: round robin is an exact rotation over the three
   * endpoints, least request (power of two choices) is not.
   */
  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void loadBalancerOfTheServiceIsSwitchedAtRuntime(boolean http2) throws Exception {
    try (EchoServer v3 = new EchoServer("v3", h.group)) {
      h.connector.map("10.241.1.13:8080", v3.address());
      h.mesh
          .pod("reviews-v3", "10.241.1.13", "reviews")
          .loadBalancer("reviews", LoadBalancerAlgorithm.LB_ROUND_ROBIN);
      h.config(List.of(), List.of());
      InetSocketAddress to = h.reviews();
      try (TestClient c = http2 ? TestClient.http2(h.group, to) : TestClient.http1(h.group, to)) {
        List<String> rotation = servedBy(c, 9);
        assertThat(rotation.subList(0, 3)).containsExactlyInAnyOrder("v1", "v2", "v3");
        for (int i = 3; i < rotation.size(); i++) {
          assertThat(rotation.get(i)).as("request %d", i).isEqualTo(rotation.get(i - 3));
        }

        h.mesh.loadBalancer("reviews", LoadBalancerAlgorithm.LB_LEAST_REQUEST);
        h.config(List.of(), List.of());
        List<String> leastRequest = servedBy(c, 30);
        assertThat(leastRequest).containsOnly("v1", "v2", "v3");
        assertThat(isRotation(leastRequest)).as("least request: %s", leastRequest).isFalse();

        h.mesh.loadBalancer("reviews", LoadBalancerAlgorithm.LB_ROUND_ROBIN);
        h.config(List.of(), List.of());
        assertThat(isRotation(servedBy(c, 9))).isTrue();
      }
    }
  }

  private static List<String> servedBy(TestClient c, int n) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(c.get("/lb").header("x-served-by"));
    }
    return out;
  }

  /** Whether {@code seq} repeats a cycle of three distinct endpoints. */
  private static boolean isRotation(List<String> seq) {
    if (new java.util.HashSet<>(seq.subList(0, 3)).size() != 3) {
      return false;
    }
    for (int i = 3; i < seq.size(); i++) {
      if (!seq.get(i).equals(seq.get(i - 3))) {
        return false;
      }
    }
    return true;
  }

  /**
   * Requests that arrive while another is in progress (pipelined, or sent right behind a response
   * by a fast keep-alive client) are each answered, in order.
   */
  @org.junit.jupiter.api.Test
  void pipelinedRequestsAreEachAnsweredInOrder() throws Exception {
    InetSocketAddress to = h.reviews();
    try (java.net.Socket socket = new java.net.Socket(to.getAddress(), to.getPort())) {
      socket.setSoTimeout(30_000);
      StringBuilder requests = new StringBuilder();
      for (int i = 1; i <= 3; i++) {
        requests
            .append("GET /p")
            .append(i)
            .append(" HTTP/1.1\r\nHost: reviews\r\n")
            .append(i == 3 ? "Connection: close\r\n" : "")
            .append("\r\n");
      }
      socket
          .getOutputStream()
          .write(requests.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String replies =
          new String(
              socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
      assertThat(replies.split("HTTP/1.1 200 ", -1)).hasSize(4);
      assertThat(replies.indexOf("/p1")).isLessThan(replies.indexOf("/p2"));
      assertThat(replies.indexOf("/p2")).isLessThan(replies.indexOf("/p3"));
    }
  }
}
