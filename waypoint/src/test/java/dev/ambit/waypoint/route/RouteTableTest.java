package dev.ambit.waypoint.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.proto.waypoint.BackendRef;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.ParentRef;
import dev.ambit.proto.waypoint.PathMatch;
import dev.ambit.proto.waypoint.RouteMatch;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.proto.waypoint.ValueMatch;
import dev.ambit.waypoint.config.ServiceInfo;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouteTableTest {

  static final ServiceInfo SVC =
      new ServiceInfo(
          "default",
          "reviews",
          "reviews.default.svc.cluster.local",
          List.of(),
          List.of(new ServiceInfo.ServicePort(9080, 0), new ServiceInfo.ServicePort(9090, 0)),
          Optional.empty(),
          dev.ambit.waypoint.lb.Algorithm.LEAST_REQUEST);

  static RouteMatch prefix(String p) {
    return RouteMatch.newBuilder()
        .setPath(PathMatch.newBuilder().setType(PathMatch.Type.PATH_PREFIX).setValue(p))
        .build();
  }

  static RouteMatch exact(String p) {
    return RouteMatch.newBuilder()
        .setPath(PathMatch.newBuilder().setType(PathMatch.Type.EXACT).setValue(p))
        .build();
  }

  static RouteMatch regex(String p) {
    return RouteMatch.newBuilder()
        .setPath(PathMatch.newBuilder().setType(PathMatch.Type.REGULAR_EXPRESSION).setValue(p))
        .build();
  }

  static RouteRule rule(String backend, RouteMatch... matches) {
    return RouteRule.newBuilder()
        .addAllMatches(List.of(matches))
        .addBackends(BackendRef.newBuilder().setName(backend).setPort(9080).setWeight(1))
        .build();
  }

  static HttpRoute route(String name, long created, int port, RouteRule... rules) {
    return HttpRoute.newBuilder()
        .setName(name)
        .setNamespace("default")
        .setCreatedMillis(created)
        .addParents(ParentRef.newBuilder().setName("reviews").setPort(port))
        .addAllRules(List.of(rules))
        .build();
  }

  static HttpRequest get(String uri, String... headers) {
    return req(HttpMethod.GET, uri, headers);
  }

  static HttpRequest req(HttpMethod method, String uri, String... headers) {
    HttpRequest r = new DefaultHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    for (int i = 0; i < headers.length; i += 2) {
      r.headers().add(headers[i], headers[i + 1]);
    }
    return r;
  }

  static String backendOf(RouteTable t, HttpRequest r) {
    return t.route(SVC, 9080, r)
        .map(d -> d.rule().backends().all().get(0).getName())
        .orElse("<none>");
  }

  @Test
  void exactBeatsPrefixAndLongerPrefixBeatsShorter() {
    RouteTable t =
        RouteTable.of(
            List.of(
                route(
                    "r",
                    1,
                    0,
                    rule("root", prefix("/")),
                    rule("api", prefix("/api")),
                    rule("apiv1", prefix("/api/v1")),
                    rule("exact", exact("/api/v1/users")))));
    assertThat(backendOf(t, get("/api/v1/users"))).isEqualTo("exact");
    assertThat(backendOf(t, get("/api/v1/users/7"))).isEqualTo("apiv1");
    assertThat(backendOf(t, get("/api/v1"))).isEqualTo("apiv1");
    assertThat(backendOf(t, get("/api/v2"))).isEqualTo("api");
    assertThat(backendOf(t, get("/apiary"))).isEqualTo("root");
    assertThat(backendOf(t, get("/"))).isEqualTo("root");
  }

  @Test
  void prefixMatchesWholePathElementsOnlyAndIgnoresQuery() {
    RouteTable t = RouteTable.of(List.of(route("r", 1, 0, rule("foo", prefix("/foo/")))));
    assertThat(backendOf(t, get("/foo"))).isEqualTo("foo");
    assertThat(backendOf(t, get("/foo/bar?x=1"))).isEqualTo("foo");
    assertThat(backendOf(t, get("/foobar"))).isEqualTo("<none>");
  }

  @Test
  void regexMatchesWholePathAndRanksAfterPrefix() {
    RouteTable t =
        RouteTable.of(
            List.of(
                route(
                    "r",
                    1,
                    0,
                    rule("regex", regex("/items/[0-9]+")),
                    rule("prefix", prefix("/items")))));
    assertThat(backendOf(t, get("/items/42"))).isEqualTo("prefix");
    RouteTable onlyRegex =
        RouteTable.of(List.of(route("r", 1, 0, rule("regex", regex("/i/[0-9]+")))));
    assertThat(backendOf(onlyRegex, get("/i/42"))).isEqualTo("regex");
    assertThat(backendOf(onlyRegex, get("/i/42x"))).isEqualTo("<none>");
  }

  @Test
  void methodHeadersAndQueryParamsBreakTiesInThatOrder() {
    RouteMatch withMethod = prefix("/").toBuilder().setMethod("POST").build();
    RouteMatch twoHeaders =
        prefix("/").toBuilder()
            .addHeaders(ValueMatch.newBuilder().setName("x-a").setValue("1"))
            .addHeaders(
                ValueMatch.newBuilder()
                    .setName("x-b")
                    .setType(ValueMatch.Type.REGULAR_EXPRESSION)
                    .setValue("v[0-9]"))
            .build();
    RouteMatch oneHeader =
        prefix("/").toBuilder()
            .addHeaders(ValueMatch.newBuilder().setName("x-a").setValue("1"))
            .build();
    RouteMatch query =
        prefix("/").toBuilder()
            .addQueryParams(ValueMatch.newBuilder().setName("debug").setValue("on"))
            .build();
    RouteTable t =
        RouteTable.of(
            List.of(
                route(
                    "r",
                    1,
                    0,
                    rule("default", prefix("/")),
                    rule("query", query),
                    rule("one", oneHeader),
                    rule("two", twoHeaders),
                    rule("post", withMethod))));
    assertThat(backendOf(t, req(HttpMethod.POST, "/x", "x-a", "1", "x-b", "v1"))).isEqualTo("post");
    assertThat(backendOf(t, get("/x?debug=on", "x-a", "1", "x-b", "v1"))).isEqualTo("two");
    assertThat(backendOf(t, get("/x?debug=on", "x-a", "1", "x-b", "vv"))).isEqualTo("one");
    assertThat(backendOf(t, get("/x?debug=on", "X-A", "2"))).isEqualTo("query");
    assertThat(backendOf(t, get("/x?debug=off"))).isEqualTo("default");
  }

  @Test
  void olderRouteWinsThenRouteNameThenRuleOrder() {
    RouteTable t =
        RouteTable.of(
            List.of(
                route("newer", 200, 0, rule("newer", prefix("/"))),
                route("older", 100, 0, rule("older", prefix("/")), rule("older2", prefix("/")))));
    assertThat(backendOf(t, get("/"))).isEqualTo("older");
    RouteTable sameAge =
        RouteTable.of(
            List.of(
                route("b", 100, 0, rule("b", prefix("/"))),
                route("a", 100, 0, rule("a", prefix("/")))));
    assertThat(backendOf(sameAge, get("/"))).isEqualTo("a");
  }

  @Test
  void ruleWithoutMatchesMatchesEverything() {
    RouteTable t = RouteTable.of(List.of(route("r", 1, 0, rule("all"))));
    assertThat(backendOf(t, req(HttpMethod.DELETE, "/any/thing"))).isEqualTo("all");
  }

  @Test
  void parentPortRestrictsAttachment() {
    RouteTable t = RouteTable.of(List.of(route("r", 1, 9090, rule("only9090", prefix("/")))));
    assertThat(t.hasRoutes(SVC, 9080)).isFalse();
    assertThat(t.hasRoutes(SVC, 9090)).isTrue();
    assertThat(t.route(SVC, 9090, get("/")).orElseThrow().rule().routeKey()).isEqualTo("default/r");
    assertThat(t.route(SVC, 9080, get("/"))).isEmpty();
  }

  @Test
  void routeWithInvalidRegexIsIgnoredWhole() {
    RouteTable t =
        RouteTable.of(
            List.of(
                route("bad", 1, 0, rule("x", prefix("/")), rule("y", regex("(unclosed"))),
                route("good", 2, 0, rule("good", prefix("/")))));
    assertThat(backendOf(t, get("/"))).isEqualTo("good");
  }

  @Test
  void weightedBackendsSplitWithinStatisticalBounds() {
    WeightedBackends wb =
        new WeightedBackends(
            List.of(
                BackendRef.newBuilder().setName("v1").setWeight(90).build(),
                BackendRef.newBuilder().setName("v2").setWeight(10).build(),
                BackendRef.newBuilder().setName("v3").setWeight(0).build()));
    java.util.Random rnd = new java.util.Random(42);
    Map<String, Integer> counts = new java.util.HashMap<>();
    for (int i = 0; i < 1000; i++) {
      counts.merge(wb.pick(rnd).orElseThrow().getName(), 1, Integer::sum);
    }
    // 90/10 over 1000 picks: standard deviation ~9.5, so +-40 is beyond 4 sigma.
    assertThat(counts.get("v1")).isBetween(860, 940);
    assertThat(counts.get("v2")).isBetween(60, 140);
    assertThat(counts).doesNotContainKey("v3");
  }

  @Test
  void allZeroWeightsPickNothing() {
    WeightedBackends wb =
        new WeightedBackends(List.of(BackendRef.newBuilder().setName("v1").setWeight(0).build()));
    assertThat(wb.pick(new java.util.Random(1))).isEmpty();
    assertThat(new WeightedBackends(new ArrayList<>()).pick(new java.util.Random(1))).isEmpty();
  }
}
