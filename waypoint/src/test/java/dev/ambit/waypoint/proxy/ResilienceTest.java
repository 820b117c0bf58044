package dev.ambit.waypoint.proxy;

import static dev.ambit.waypoint.proxy.Routes.backend;
import static dev.ambit.waypoint.proxy.Routes.route;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import dev.ambit.proto.waypoint.Retry;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.proto.waypoint.Timeouts;
import dev.ambit.waypoint.lb.OutlierPolicy;
import dev.ambit.waypoint.testing.Harness;
import dev.ambit.waypoint.testing.TestClient;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Retries, timeouts, passive health and bounded pending requests, end to end on loopback. */
class ResilienceTest {

  Harness h;

  @AfterEach
  void stop() {
    if (h != null) {
      h.close();
    }
  }

  static RouteRule.Builder toV1() {
    return RouteRule.newBuilder().addBackends(backend("reviews-v1", 1));
  }

  static Duration millis(int ms) {
    return Duration.newBuilder().setNanos(ms * 1_000_000).build();
  }

  TestClient client(boolean http2) throws Exception {
    return http2 ? TestClient.http2(h.group, h.reviews()) : TestClient.http1(h.group, h.reviews());
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void flakyBackendSucceedsWithRetriesAndFailsWithout(boolean http2) throws Exception {
    h = new Harness();
    h.v1.flaky = true;
    h.config(List.of(route(toV1().build())), List.of());
    try (TestClient c = client(http2)) {
      assertThat(c.get("/").status()).isEqualTo(503);
      assertThat(c.get("/").status()).isEqualTo(503);
      assertThat(c.get("/").status()).isEqualTo(200);

      h.config(
          List.of(
              route(
                  toV1()
                      .setRetry(Retry.newBuilder().setAttempts(3).setBackoff(millis(5)))
                      .build())),
          List.of());
      for (int i = 0; i < 3; i++) {
        assertThat(c.get("/").status()).isEqualTo(200);
      }
      assertThat(h.v1.requestCount.get()).isEqualTo(3 + 9);
    }
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains("response_code=\"503\"")
                    .contains("response_code=\"200\""));
  }

  @Test
  void retriesGiveUpAfterTheAttemptsAndSayRetryLimit() throws Exception {
    h = new Harness();
    h.v1.failStatus = 503;
    h.config(
        List.of(
            route(
                toV1().setRetry(Retry.newBuilder().setAttempts(2).setBackoff(millis(1))).build())),
        List.of());
    try (TestClient c = client(false)) {
      assertThat(c.get("/").status()).isEqualTo(503);
    }
    assertThat(h.v1.requestCount.get()).isEqualTo(2);
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains(
                        "response_code=\"503\",grpc_response_status=\"\",response_flags=\"URX\""));
  }

  @Test
  void nonRetriableCodesAreNotRetried() throws Exception {
    h = new Harness();
    h.config(List.of(route(toV1().setRetry(Retry.newBuilder().setAttempts(3)).build())), List.of());
    try (TestClient c = client(false)) {
      assertThat(c.get("/", "x-echo-status", "404").status()).isEqualTo(404);
    }
    assertThat(h.v1.requestCount.get()).isEqualTo(1);
  }

  @ParameterizedTest(name = "http2={0}")
  @ValueSource(booleans = {false, true})
  void slowBackendGets504AtTheRequestTimeout(boolean http2) throws Exception {
    h = new Harness();
    h.config(
        List.of(route(toV1().setTimeouts(Timeouts.newBuilder().setRequest(millis(200))).build())),
        List.of());
    try (TestClient c = client(http2)) {
      TestClient.Response r = c.get("/", "x-echo-delay-ms", "3000");
      assertThat(r.status()).isEqualTo(504);
      assertThat(r.body()).isEqualTo("upstream request timeout");
      assertThat(c.get("/").status()).as("the connection stays usable").isEqualTo(200);
    }
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains(
                        "response_code=\"504\",grpc_response_status=\"\",response_flags=\"UT\""));
  }

  @Test
  void backendRequestTimeoutIsPerAttemptAndRetried() throws Exception {
    h = new Harness();
    h.config(
        List.of(
            route(
                toV1()
                    .setTimeouts(Timeouts.newBuilder().setBackendRequest(millis(150)))
                    .setRetry(Retry.newBuilder().setAttempts(2).setBackoff(millis(1)))
                    .build())),
        List.of());
    try (TestClient c = client(false)) {
      assertThat(c.get("/", "x-echo-delay-ms", "2000").status()).isEqualTo(504);
    }
    assertThat(h.v1.requestCount.get()).isEqualTo(2);
  }

  @Test
  void failingEndpointIsEjectedAndTrafficGoesToTheHealthyOne() throws Exception {
    h =
        new Harness(
            ProxyOptions.defaults()
                .withOutlier(new OutlierPolicy(3, java.time.Duration.ofMinutes(5))),
            RequestTracer.PROPAGATE_ONLY);
    h.v2.failStatus = 500;
    int failures = 0;
    try (TestClient c = client(false)) {
      for (int i = 0; i < 40; i++) {
        if (c.get("/").status() == 500) {
          failures++;
        }
      }
      assertThat(failures).isEqualTo(3);
      for (int i = 0; i < 20; i++) {
        assertThat(c.get("/").echo("name")).isEqualTo("v1");
      }
    }
  }

  @Test
  void connectFailuresAreRetriedOnAnotherEndpointAndTheDeadOneIsEjected() throws Exception {
    h =
        new Harness(
            ProxyOptions.defaults()
                .withOutlier(new OutlierPolicy(2, java.time.Duration.ofMinutes(5))),
            RequestTracer.PROPAGATE_ONLY);
    h.v2.close();
    try (TestClient c = client(false)) {
      for (int i = 0; i < 30; i++) {
        TestClient.Response r = c.send(HttpMethod.POST, "/orders", "o" + i);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.echo("name")).isEqualTo("v1");
      }
    }
    assertThat(h.v1.requestCount.get()).isEqualTo(30);
    assertThat(h.connector.connects.get())
        .as("v2 is tried until it is ejected, then left alone")
        .isLessThanOrEqualTo(2 + 2);
    await()
        .untilAsserted(
            () -> assertThat(h.metrics.scrape()).doesNotContain("response_code=\"503\""));
  }

  @Test
  void unreachableOnlyEndpointAnswers503ConnectFailure() throws Exception {
    h = new Harness();
    h.config(List.of(route(toV1().build())), List.of());
    h.v1.close();
    try (TestClient c = client(false)) {
      assertThat(c.get("/").status()).isEqualTo(503);
    }
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains(
                        "response_code=\"503\",grpc_response_status=\"\",response_flags=\"UF\"} 1"));
  }

  @Test
  void pendingBoundAnswers503InsteadOfQueueing() throws Exception {
    h =
        new Harness(
            ProxyOptions.defaults().withMaxPendingPerBackend(1), RequestTracer.PROPAGATE_ONLY);
    h.config(List.of(route(toV1().build())), List.of());
    try (TestClient slow = TestClient.http2(h.group, h.reviews());
        TestClient fast = TestClient.http2(h.group, h.reviews())) {
      CompletableFuture<TestClient.Response> first =
          slow.sendAsync(HttpMethod.GET, "/", "", "x-echo-delay-ms", "1000");
      org.awaitility.Awaitility.await().until(() -> h.v1.requestCount.get() == 1);
      TestClient.Response second = fast.get("/");
      assertThat(second.status()).isEqualTo(503);
      assertThat(second.body()).isEqualTo("upstream overflow");
      assertThat(first.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
      assertThat(fast.get("/").status()).isEqualTo(200);
    }
  }

  @Test
  void idlePooledUpstreamConnectionsAreClosed() throws Exception {
    h =
        new Harness(
            ProxyOptions.defaults().withUpstreamIdleTimeout(java.time.Duration.ofMillis(300)),
            RequestTracer.PROPAGATE_ONLY);
    h.config(List.of(route(toV1().build())), List.of());
    try (TestClient c = client(false)) {
      assertThat(c.get("/").status()).isEqualTo(200);
      assertThat(h.v1.openConnections.get()).isEqualTo(1);
      org.awaitility.Awaitility.await().until(() -> h.v1.openConnections.get() == 0);
      assertThat(c.get("/").status()).as("a new connection is opened").isEqualTo(200);
      assertThat(h.v1.connections.get()).isEqualTo(2);
    }
  }
}
