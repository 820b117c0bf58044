package dev.ambit.ztunnel.state;

import static dev.ambit.ztunnel.state.Fixtures.backs;
import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Rule;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.workload.Address;
import dev.ambit.proto.workload.Workload;
import dev.ambit.ztunnel.authz.ConnectionAttributes;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StateStoreTest {

  final StateStore store = new StateStore();

  @Test
  void lookupsByIpVipAndNameAndEndpoints() throws Exception {
    String key = "default/reviews.default.svc.cluster.local";
    store.updateAddresses(
        resources(
            resource(service("default", "reviews", "10.96.0.10", 9080, 9080)),
            resource(backs(pod("default", "reviews-1", "reviews", "10.241.1.5"), key, 9080, 9080))),
        List.of());
    StateSnapshot s = store.snapshot();
    assertThat(s.workloadByIp(InetAddress.getByName("10.241.1.5")).uid())
        .isEqualTo("local//Pod/default/reviews-1");
    assertThat(s.workloadByIp(InetAddress.getByName("10.241.1.5")).identity())
        .isEqualTo("spiffe://cluster.local/ns/default/sa/reviews");
    assertThat(s.serviceByVip(InetAddress.getByName("10.96.0.10")).key()).isEqualTo(key);
    assertThat(s.endpoints(key)).extracting(WorkloadInfo::name).containsExactly("reviews-1");
    assertThat(s.serviceByVip(InetAddress.getByName("10.241.1.5"))).isNull();
  }

  @Test
  void removalByResourceNameAndReplacement() throws Exception {
    store.updateAddresses(
        resources(
            resource(pod("default", "a", "a", "10.241.1.5")),
            resource(pod("default", "b", "b", "10.241.1.6"))),
        List.of());
    StateSnapshot before = store.snapshot();
    store.updateAddresses(
        resources(resource(pod("default", "b", "b2", "10.241.1.7"))),
        List.of("local//Pod/default/a"));
    StateSnapshot after = store.snapshot();
    assertThat(after.workload("local//Pod/default/a")).isNull();
    assertThat(after.workloadByIp(InetAddress.getByName("10.241.1.6"))).isNull();
    assertThat(after.workloadByIp(InetAddress.getByName("10.241.1.7")).serviceAccount())
        .isEqualTo("b2");
    assertThat(before.workload("local//Pod/default/a"))
        .as("published snapshots never change")
        .isNotNull();
  }

  @Test
  void malformedAddressRejectsTheUpdateAndKeepsState() {
    store.updateAddresses(resources(resource(pod("default", "a", "a", "10.241.1.5"))), List.of());
    Workload bad =
        Workload.newBuilder()
            .setUid("local//Pod/default/bad")
            .addAddresses(com.google.protobuf.ByteString.copyFrom(new byte[3]))
            .build();
    assertThatThrownBy(
            () ->
                store.updateAddresses(
                    Map.of(bad.getUid(), Address.newBuilder().setWorkload(bad).build()), List.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("4 or 16 bytes");
    assertThat(store.snapshot().workloads()).containsOnlyKeys("local//Pod/default/a");
  }

  @Test
  void policyScopesGlobalNamespaceAndSelector() throws Exception {
    store.updateAddresses(
        resources(
            resource(
                pod("back", "api", "api", "10.241.1.5")
                    .addAuthorizationPolicies("back/deny-selected")),
            resource(pod("back", "db", "db", "10.241.1.6")),
            resource(pod("other", "web", "web", "10.241.1.7"))),
        List.of());
    store.updateAuthorizations(
        Map.of(
            "istio-system/global-deny", deny("istio-system", "global-deny", Scope.GLOBAL),
            "back/ns-deny", deny("back", "ns-deny", Scope.NAMESPACE),
            "back/deny-selected", deny("back", "deny-selected", Scope.WORKLOAD_SELECTOR),
            "back/unselected", deny("back", "unselected", Scope.WORKLOAD_SELECTOR)),
        List.of());
    StateSnapshot s = store.snapshot();
    assertThat(s.policiesFor(s.workload("local//Pod/back/api")).keys())
        .containsExactlyInAnyOrder(
            "istio-system/global-deny", "back/ns-deny", "back/deny-selected");
    assertThat(s.policiesFor(s.workload("local//Pod/back/db")).keys())
        .containsExactlyInAnyOrder("istio-system/global-deny", "back/ns-deny");
    assertThat(s.policiesFor(s.workload("local//Pod/other/web")).keys())
        .containsExactly("istio-system/global-deny");

    store.updateAuthorizations(Map.of(), List.of("istio-system/global-deny"));
    StateSnapshot t = store.snapshot();
    assertThat(t.policiesFor(t.workload("local//Pod/other/web")).size()).isZero();
    ConnectionAttributes c =
        ConnectionAttributes.of(
            InetAddress.getByName("10.0.0.1"),
            "spiffe://cluster.local/ns/x/sa/y",
            InetAddress.getByName("10.241.1.7"),
            80);
    assertThat(t.policiesFor(t.workload("local//Pod/other/web")).evaluate(c).allowed()).isTrue();
    assertThat(t.policiesFor(t.workload("local//Pod/back/db")).evaluate(c).policy())
        .isEqualTo("back/ns-deny");
  }

  @Test
  void listenersSeeEveryPublishedSnapshotInOrder() {
    List<Integer> sizes = new ArrayList<>();
    store.onUpdate(s -> sizes.add(s.workloads().size()));
    store.updateAddresses(resources(resource(pod("default", "a", "a", "10.241.1.5"))), List.of());
    store.updateAddresses(resources(resource(pod("default", "b", "b", "10.241.1.6"))), List.of());
    store.updateAddresses(Map.of(), List.of("local//Pod/default/a"));
    assertThat(sizes).containsExactly(1, 2, 1);
  }

  static Authorization deny(String ns, String name, Scope scope) {
    return Authorization.newBuilder()
        .setNamespace(ns)
        .setName(name)
        .setScope(scope)
        .setAction(Action.DENY)
        .addRules(Rule.getDefaultInstance())
        .build();
  }
}
