package dev.ambit.waypoint.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.proto.waypoint.Header;
import dev.ambit.proto.waypoint.HeaderModifier;
import dev.ambit.proto.waypoint.PathModifier;
import dev.ambit.proto.waypoint.Redirect;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

class FiltersTest {

  static PathModifier prefix(String v) {
    return PathModifier.newBuilder()
        .setType(PathModifier.Type.REPLACE_PREFIX_MATCH)
        .setValue(v)
        .build();
  }

  static PathModifier full(String v) {
    return PathModifier.newBuilder()
        .setType(PathModifier.Type.REPLACE_FULL_PATH)
        .setValue(v)
        .build();
  }

  @Test
  void headerModifierSetsAddsAndRemoves() {
    HttpHeaders h = new DefaultHttpHeaders();
    h.add("x-keep", "1");
    h.add("x-set", "old");
    h.add("x-add", "a");
    h.add("x-drop", "bye");
    HeaderModifiers.apply(
        HeaderModifier.newBuilder()
            .addSet(Header.newBuilder().setName("X-Set").setValue("new"))
            .addAdd(Header.newBuilder().setName("x-add").setValue("b"))
            .addRemove("X-DROP")
            .build(),
        h);
    assertThat(h.getAll("x-set")).containsExactly("new");
    assertThat(h.getAll("x-add")).containsExactly("a", "b");
    assertThat(h.contains("x-drop")).isFalse();
    assertThat(h.get("x-keep")).isEqualTo("1");
  }

  @Test
  void prefixReplacementKeepsTheRestOfThePath() {
    assertThat(PathRewrites.apply(prefix("/v2"), "/v1/users/7", "/v1")).isEqualTo("/v2/users/7");
    assertThat(PathRewrites.apply(prefix("/"), "/v1/users", "/v1")).isEqualTo("/users");
    assertThat(PathRewrites.apply(prefix("/"), "/v1", "/v1")).isEqualTo("/");
    assertThat(PathRewrites.apply(prefix("/new/"), "/v1", "/v1")).isEqualTo("/new");
    assertThat(PathRewrites.apply(prefix("/api"), "/users", "/")).isEqualTo("/api/users");
    assertThat(PathRewrites.apply(full("/fixed"), "/v1/users", "/v1")).isEqualTo("/fixed");
  }

  RouteTable.RouteDecision decision(String uri, String prefix) {
    return new RouteTable.RouteDecision(null, prefix, new RequestTarget(uri));
  }

  @Test
  void redirectBuildsLocationFromRequestAndFilter() {
    Redirect toHttps = Redirect.newBuilder().setScheme("https").setStatusCode(301).build();
    assertThat(Redirects.location(toHttps, "http", "shop:8080", decision("/cart?id=3", "")))
        .isEqualTo("https://shop/cart?id=3");
    Redirect host = Redirect.newBuilder().setHostname("new.example").build();
    assertThat(Redirects.location(host, "http", "shop:8080", decision("/a", "")))
        .isEqualTo("http://new.example:8080/a");
    Redirect withPort =
        Redirect.newBuilder().setPort(8443).setScheme("https").setPath(prefix("/v2")).build();
    assertThat(Redirects.location(withPort, "http", "shop", decision("/v1/x", "/v1")))
        .isEqualTo("https://shop:8443/v2/x");
    Redirect defaultPort = Redirect.newBuilder().setPort(80).build();
    assertThat(Redirects.location(defaultPort, "http", "shop:9080", decision("/", "")))
        .isEqualTo("http://shop/");

    FullHttpResponse res = Redirects.response(toHttps, "https://shop/");
    assertThat(res.status().code()).isEqualTo(301);
    assertThat(res.headers().get("location")).isEqualTo("https://shop/");
    assertThat(Redirects.response(host, "x").status().code()).isEqualTo(302);
    res.release();
  }

  @Test
  void retryPolicyDefaultsAndBackoff() {
    RetryPolicy none = RetryPolicy.of(null);
    assertThat(none.attempts()).isEqualTo(1);
    RetryPolicy p =
        RetryPolicy.of(
            dev.ambit.proto.waypoint.Retry.newBuilder()
                .setAttempts(3)
                .setBackoff(com.google.protobuf.Duration.newBuilder().setNanos(10_000_000))
                .build());
    assertThat(p.retriable(503)).isTrue();
    assertThat(p.retriable(404)).isFalse();
    assertThat(p.backoffBefore(2).toMillis()).isEqualTo(10);
    assertThat(p.backoffBefore(3).toMillis()).isEqualTo(20);
    RetryPolicy custom =
        RetryPolicy.of(
            dev.ambit.proto.waypoint.Retry.newBuilder().setAttempts(2).addCodes(429).build());
    assertThat(custom.retriable(429)).isTrue();
    assertThat(custom.retriable(503)).isFalse();
  }
}
