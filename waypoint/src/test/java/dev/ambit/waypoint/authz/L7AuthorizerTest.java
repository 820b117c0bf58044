package dev.ambit.waypoint.authz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.proto.waypoint.Action;
import dev.ambit.proto.waypoint.Condition;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.waypoint.Operation;
import dev.ambit.proto.waypoint.Rule;
import dev.ambit.proto.waypoint.Source;
import dev.ambit.proto.waypoint.TargetRef;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class L7AuthorizerTest {

  static final String CLIENT = "spiffe://cluster.local/ns/shop/sa/frontend";

  static L7Authorization policy(String name, Action action, Rule... rules) {
    return L7Authorization.newBuilder()
        .setName(name)
        .setNamespace("shop")
        .setAction(action)
        .addTargets(TargetRef.newBuilder().setKind("Service").setName("reviews"))
        .addAllRules(List.of(rules))
        .build();
  }

  static Rule to(Operation.Builder op) {
    return Rule.newBuilder().addTo(op).build();
  }

  static Rule from(Source.Builder s) {
    return Rule.newBuilder().addFrom(s).build();
  }

  static Rule when(String key, String... values) {
    return Rule.newBuilder()
        .addWhen(Condition.newBuilder().setKey(key).addAllValues(List.of(values)))
        .build();
  }

  static AuthzRequest http(String method, String path, String host, String... headers) {
    HttpHeaders h = new DefaultHttpHeaders();
    for (int i = 0; i < headers.length; i += 2) {
      h.add(headers[i], headers[i + 1]);
    }
    return new AuthzRequest(CLIENT, ip("10.241.1.5"), 9080, true, method, path, host, h);
  }

  static InetAddress ip(String s) {
    try {
      return InetAddress.getByName(s);
    } catch (java.net.UnknownHostException e) {
      throw new AssertionError(e);
    }
  }

  static boolean allowed(L7Authorization p, AuthzRequest r) {
    return L7Authorizer.of("shop", "waypoint", List.of(p)).evaluate("shop", "reviews", r).allowed();
  }

  @Test
  void noPolicyAllowsAndAllowWithoutMatchDenies() {
    AuthzRequest r = http("GET", "/", "reviews");
    assertThat(L7Authorizer.of("shop", "waypoint", List.of()).evaluate("shop", "reviews", r))
        .isEqualTo(new L7Authorizer.Decision(true, ""));
    L7Authorization allowPost =
        policy("p", Action.ALLOW, to(Operation.newBuilder().addMethods("POST")));
    assertThat(allowed(allowPost, r)).isFalse();
    assertThat(allowed(allowPost, http("POST", "/", "reviews"))).isTrue();
  }

  @Test
  void denyWinsOverAllow() {
    L7Authorization allowAll =
        policy("all", Action.ALLOW, Rule.newBuilder().setMatchAll(true).build());
    L7Authorization denyAdmin =
        policy("deny", Action.DENY, to(Operation.newBuilder().addPaths("/admin/*")));
    L7Authorizer a = L7Authorizer.of("shop", "waypoint", List.of(allowAll, denyAdmin));
    assertThat(a.evaluate("shop", "reviews", http("GET", "/admin/users", "r")))
        .isEqualTo(new L7Authorizer.Decision(false, "shop/deny"));
    assertThat(a.evaluate("shop", "reviews", http("GET", "/public", "r")).allowed()).isTrue();
  }

  @Test
  void pathsExactPrefixSuffixAndPresence() {
    L7Authorization p =
        policy(
            "p",
            Action.ALLOW,
            to(Operation.newBuilder().addPaths("/exact").addPaths("/api/*").addPaths("*.png")));
    assertThat(allowed(p, http("GET", "/exact", "h"))).isTrue();
    assertThat(allowed(p, http("GET", "/exact/more", "h"))).isFalse();
    assertThat(allowed(p, http("GET", "/api/v1", "h"))).isTrue();
    assertThat(allowed(p, http("GET", "/img/cat.png", "h"))).isTrue();
    assertThat(allowed(p, http("GET", "/img/cat.jpg", "h"))).isFalse();
    L7Authorization notPaths =
        policy("n", Action.ALLOW, to(Operation.newBuilder().addNotPaths("/private*")));
    assertThat(allowed(notPaths, http("GET", "/private/x", "h"))).isFalse();
    assertThat(allowed(notPaths, http("GET", "/public", "h"))).isTrue();
  }

  @Test
  void methodsHostsAndPorts() {
    L7Authorization p =
        policy(
            "p",
            Action.ALLOW,
            to(
                Operation.newBuilder()
                    .addMethods("GET")
                    .addHosts("*.example.com")
                    .addPorts("9080")));
    assertThat(allowed(p, http("GET", "/", "Shop.Example.com"))).isTrue();
    assertThat(allowed(p, http("GET", "/", "shop.example.com:9080"))).isTrue();
    assertThat(allowed(p, http("DELETE", "/", "shop.example.com"))).isFalse();
    assertThat(allowed(p, http("GET", "/", "other.org"))).isFalse();
    L7Authorization otherPort =
        policy("q", Action.ALLOW, to(Operation.newBuilder().addPorts("8080")));
    assertThat(allowed(otherPort, http("GET", "/", "h"))).isFalse();
    L7Authorization notHosts =
        policy("r", Action.ALLOW, to(Operation.newBuilder().addNotHosts("admin.*")));
    assertThat(allowed(notHosts, http("GET", "/", "admin.shop"))).isFalse();
    assertThat(allowed(notHosts, http("GET", "/", "www.shop"))).isTrue();
  }

  @Test
  void principalsNamespacesAndIpBlocks() {
    assertThat(
            allowed(
                policy(
                    "p",
                    Action.ALLOW,
                    from(Source.newBuilder().addPrincipals("cluster.local/ns/shop/sa/frontend"))),
                http("GET", "/", "h")))
        .isTrue();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, from(Source.newBuilder().addPrincipals("*/sa/admin"))),
                http("GET", "/", "h")))
        .isFalse();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, from(Source.newBuilder().addNamespaces("shop"))),
                http("GET", "/", "h")))
        .isTrue();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, from(Source.newBuilder().addNotNamespaces("shop"))),
                http("GET", "/", "h")))
        .isFalse();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, from(Source.newBuilder().addIpBlocks("10.241.0.0/16"))),
                http("GET", "/", "h")))
        .isTrue();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, from(Source.newBuilder().addIpBlocks("10.242.1.0/24"))),
                http("GET", "/", "h")))
        .isFalse();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, from(Source.newBuilder().addNotIpBlocks("10.241.1.5"))),
                http("GET", "/", "h")))
        .isFalse();
  }

  @Test
  void whenConditionsOnHeadersAndSource() {
    assertThat(
            allowed(
                policy("p", Action.ALLOW, when("request.headers[x-user]", "alice", "bob")),
                http("GET", "/", "h", "x-user", "bob")))
        .isTrue();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, when("request.headers[x-user]", "alice")),
                http("GET", "/", "h", "x-user", "eve")))
        .isFalse();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, when("request.headers[x-user]", "*")),
                http("GET", "/", "h")))
        .isFalse();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, when("source.namespace", "shop")), http("GET", "/", "h")))
        .isTrue();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, when("source.principal", "cluster.local/ns/shop/*")),
                http("GET", "/", "h")))
        .isTrue();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, when("source.ip", "10.241.1.0/24")),
                http("GET", "/", "h")))
        .isTrue();
    assertThat(
            allowed(
                policy("p", Action.ALLOW, when("destination.port", "9081")), http("GET", "/", "h")))
        .isFalse();
  }

  @Test
  void unknownOrAbsentAttributesFailClosed() {
    L7Authorization allowByJwt = policy("p", Action.ALLOW, when("request.auth.claims[iss]", "x"));
    assertThat(allowed(allowByJwt, http("GET", "/", "h"))).isFalse();
    L7Authorization denyByJwt = policy("d", Action.DENY, when("request.auth.claims[iss]", "x"));
    assertThat(allowed(denyByJwt, http("GET", "/", "h"))).isFalse();

    AuthzRequest tcp = AuthzRequest.tcp(CLIENT, ip("10.241.1.5"), 9080);
    assertThat(
            allowed(policy("a", Action.ALLOW, to(Operation.newBuilder().addMethods("GET"))), tcp))
        .isFalse();
    assertThat(
            allowed(policy("d", Action.DENY, to(Operation.newBuilder().addMethods("POST"))), tcp))
        .isFalse();
    assertThat(
            allowed(
                policy("a", Action.ALLOW, from(Source.newBuilder().addNamespaces("shop"))), tcp))
        .isTrue();
  }

  @Test
  void invalidPolicyDeniesWhatItTargets() {
    L7Authorization bad =
        policy("bad", Action.ALLOW, from(Source.newBuilder().addIpBlocks("not-an-ip")));
    assertThat(
            L7Authorizer.of("shop", "waypoint", List.of(bad))
                .evaluate("shop", "reviews", http("GET", "/", "h")))
        .isEqualTo(new L7Authorizer.Decision(false, "shop/bad"));
  }

  @Test
  void targetsSelectGatewayOrService() {
    L7Authorization denyAllOnGateway =
        L7Authorization.newBuilder()
            .setName("gw")
            .setNamespace("shop")
            .setAction(Action.DENY)
            .addTargets(TargetRef.newBuilder().setKind("Gateway").setName("waypoint"))
            .addRules(Rule.newBuilder().setMatchAll(true))
            .build();
    AuthzRequest r = http("GET", "/", "h");
    assertThat(
            L7Authorizer.of("shop", "waypoint", List.of(denyAllOnGateway))
                .evaluate("shop", "x", r)
                .allowed())
        .isFalse();
    assertThat(
            L7Authorizer.of("shop", "other-waypoint", List.of(denyAllOnGateway))
                .evaluate("shop", "x", r)
                .allowed())
        .isTrue();
    L7Authorization denyReviews =
        policy("d", Action.DENY, Rule.newBuilder().setMatchAll(true).build());
    L7Authorizer a = L7Authorizer.of("shop", "waypoint", List.of(denyReviews));
    assertThat(a.evaluate("shop", "reviews", r).allowed()).isFalse();
    assertThat(a.evaluate("shop", "ratings", r).allowed()).isTrue();
    assertThat(a.evaluate("other", "reviews", r).allowed()).isTrue();
  }
}
