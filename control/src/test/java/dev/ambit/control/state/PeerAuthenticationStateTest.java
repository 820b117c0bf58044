package dev.ambit.control.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.api.ConfigReader;
import dev.ambit.api.store.ConfigStore;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.security.StringMatch;
import org.junit.jupiter.api.Test;

/** PeerAuthentication modes, their precedence, and their L4 translation. */
class PeerAuthenticationStateTest {

  private static final String STRICT = "istio-system/istio_converted_static_strict";

  private final ConfigStore store = new ConfigStore();

  private static final String PODS =
      """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}
      ---
      apiVersion: v1
      kind: Namespace
      metadata: {name: blog, labels: {istio.io/dataplane-mode: ambient}}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: a, namespace: shop, labels: {app: a}}
      spec: {containers: [{name: c, image: echo}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: b, namespace: shop, labels: {app: b}}
      spec: {containers: [{name: c, image: echo}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: out, namespace: shop, labels: {app: a, istio.io/dataplane-mode: none}}
      spec: {containers: [{name: c, image: echo}]}
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: post, namespace: blog, labels: {app: a}}
      spec: {containers: [{name: c, image: echo}]}
      """;

  private MeshState build(String yaml) throws Exception {
    String all = yaml.isEmpty() ? PODS : PODS + "---\n" + yaml;
    store.apply(ConfigReader.read("test.yaml", all.strip().replaceAll("---$", "")));
    return new MeshStateBuilder("cluster.local").build(store.snapshot());
  }

  private static String pa(String ns, String name, String selector, String mode) {
    return "apiVersion: security.istio.io/v1\nkind: PeerAuthentication\nmetadata: {name: "
        + name
        + ", namespace: "
        + ns
        + "}\nspec:\n"
        + (selector == null ? "" : "  selector: {matchLabels: {app: " + selector + "}}\n")
        + "  mtls: {mode: "
        + mode
        + "}\n---\n";
  }

  private static boolean strict(MeshState state, String ns, String pod) {
    return state
        .workloads()
        .get(MeshStateBuilder.uid(ns, pod))
        .getAuthorizationPoliciesList()
        .contains(STRICT);
  }

  @Test
  void strictBecomesADenyPolicyForConnectionsWithoutAPrincipal() throws Exception {
    MeshState state = build(pa("shop", "default", null, "STRICT"));
    Authorization deny = state.authorizations().get(STRICT);
    assertThat(deny.getAction()).isEqualTo(Action.DENY);
    assertThat(deny.getScope()).isEqualTo(Scope.WORKLOAD_SELECTOR);
    assertThat(deny.getRulesList()).hasSize(1);
    var match = deny.getRules(0).getClauses(0).getMatches(0);
    assertThat(match.getNotPrincipalsList())
        .containsExactly(
            StringMatch.newBuilder()
                .setPresence(com.google.protobuf.Empty.getDefaultInstance())
                .build());
    assertThat(match.getPrincipalsList()).isEmpty();
    assertThat(state.xds().get(dev.ambit.proto.client.TypeUrls.AUTHORIZATION)).containsKey(STRICT);
    // namespace-wide: both workloads of shop, not the opted-out pod, not another namespace
    assertThat(strict(state, "shop", "a")).isTrue();
    assertThat(strict(state, "shop", "b")).isTrue();
    assertThat(strict(state, "shop", "out")).isFalse();
    assertThat(strict(state, "blog", "post")).isFalse();
  }

  @Test
  void workloadWinsOverNamespaceWhichWinsOverMeshAndUnsetInherits() throws Exception {
    MeshState state =
        build(
            pa("istio-system", "mesh", null, "STRICT")
                + pa("shop", "ns", null, "PERMISSIVE")
                + pa("shop", "only-b", "b", "STRICT")
                + pa("blog", "ns", null, "UNSET"));
    assertThat(strict(state, "shop", "a")).isFalse(); // namespace PERMISSIVE over mesh STRICT
    assertThat(strict(state, "shop", "b")).isTrue(); // workload STRICT over namespace
    assertThat(strict(state, "blog", "post")).isTrue(); // UNSET inherits the mesh's STRICT
  }

  @Test
  void disableAndPermissiveOnAWorkloadRelaxAStrictNamespace() throws Exception {
    MeshState state =
        build(
            pa("shop", "ns", null, "STRICT")
                + pa("shop", "a-off", "a", "DISABLE")
                + pa("shop", "b-unset", "b", "UNSET"));
    assertThat(strict(state, "shop", "a")).isFalse();
    assertThat(strict(state, "shop", "b")).isTrue();
    assertThat(state.authorizations())
        .doesNotContainKey("shop/converted_peer_authentication_a-off");
  }

  @Test
  void portLevelSettingsBecomeAPolicyOfTheirOwnWithPorts() throws Exception {
    MeshState state =
        build(
            pa("shop", "ns", null, "STRICT")
                + """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: a-ports, namespace: shop}
                spec:
                  selector: {matchLabels: {app: a}}
                  portLevelMtls: {"9000": {mode: PERMISSIVE}}
                ---
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: post-ports, namespace: blog}
                spec:
                  selector: {matchLabels: {app: a}}
                  mtls: {mode: PERMISSIVE}
                  portLevelMtls: {"8080": {mode: STRICT}, "8081": {mode: STRICT}}
                """);
    // STRICT inherited from the namespace, except port 9000
    Authorization a = state.authorizations().get("shop/converted_peer_authentication_a-ports");
    assertThat(a.getAction()).isEqualTo(Action.DENY);
    assertThat(a.getRules(0).getClausesList()).hasSize(2);
    assertThat(a.getRules(0).getClauses(1).getMatches(0).getNotDestinationPortsList())
        .containsExactly(9000);
    assertThat(
            state.workloads().get(MeshStateBuilder.uid("shop", "a")).getAuthorizationPoliciesList())
        .containsExactly("shop/converted_peer_authentication_a-ports");
    // PERMISSIVE, except ports 8080 and 8081
    Authorization post =
        state.authorizations().get("blog/converted_peer_authentication_post-ports");
    assertThat(post.getRules(0).getClauses(1).getMatches(0).getDestinationPortsList())
        .containsExactly(8080, 8081);
    assertThat(
            state
                .workloads()
                .get(MeshStateBuilder.uid("blog", "post"))
                .getAuthorizationPoliciesList())
        .containsExactly("blog/converted_peer_authentication_post-ports");
  }

  @Test
  void withoutPeerAuthenticationsNothingIsAdded() throws Exception {
    MeshState state = build("");
    assertThat(state.authorizations()).isEmpty();
    assertThat(strict(state, "shop", "a")).isFalse();
  }
}
