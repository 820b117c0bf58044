package dev.ambit.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.api.ConfigReader;
import dev.ambit.api.Kind;
import dev.ambit.api.ResourceKey;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.security.Action;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.security.Scope;
import dev.ambit.proto.security.StringMatch;
import dev.ambit.proto.workload.Address;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ztunnel-like xDS client of a real control plane sees PeerAuthentication as L4 policy: a STRICT
 * namespace gives its workloads the DENY-without-principal policy, a PERMISSIVE workload policy
 * takes it away, port-level settings arrive as a policy of their own, and deleting the namespace
 * policy takes it back.
 */
class PeerAuthenticationXdsTest {

  private static final String STRICT = "istio-system/istio_converted_static_strict";

  @TempDir Path home;
  private ControlPlane cp;
  private XdsClient xds;
  private final Map<String, Address> addresses = new ConcurrentHashMap<>();
  private final Map<String, Authorization> policies = new ConcurrentHashMap<>();

  @BeforeEach
  void start() throws Exception {
    cp =
        ControlPlane.start(
            new ControlPlane.Options(
                home,
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                "cluster.local",
                null,
                Duration.ofHours(24),
                Duration.ofMillis(20)));
    cp.ca().issueNodeCredential("node1", Duration.ofHours(1)).writeTo(home.resolve("creds"));
    xds =
        XdsClient.builder(
                "127.0.0.1:" + cp.xdsPort(),
                ControlPlaneCredentials.fromDirectory(home.resolve("creds")))
            .nodeId("ztunnel~node1")
            .subscribe(
                TypeUrls.ADDRESS,
                Address.class,
                (up, rm) -> {
                  addresses.putAll(up);
                  rm.forEach(addresses::remove);
                })
            .subscribe(
                TypeUrls.AUTHORIZATION,
                Authorization.class,
                (up, rm) -> {
                  policies.putAll(up);
                  rm.forEach(policies::remove);
                })
            .build();
    xds.start();
    assertThat(xds.awaitSynced(Duration.ofSeconds(10))).isTrue();
  }

  @AfterEach
  void stop() {
    if (xds != null) {
      xds.close();
    }
    if (cp != null) {
      cp.close();
    }
  }

  private void apply(String yaml) throws Exception {
    cp.store().apply(ConfigReader.read("test.yaml", yaml));
  }

  private List<String> policiesOf(String pod) {
    Address a = addresses.get("local//Pod/shop/" + pod);
    return a == null ? List.of() : a.getWorkload().getAuthorizationPoliciesList();
  }

  @Test
  void strictPermissiveAndPortLevelModesReachTheClientAsL4Policies() throws Exception {
    apply(
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: shop, labels: {istio.io/dataplane-mode: ambient}}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: a, namespace: shop, labels: {app: a}}
        spec: {nodeName: node1, containers: [{name: c, image: echo}]}
        ---
        apiVersion: v1
        kind: Pod
        metadata: {name: b, namespace: shop, labels: {app: b}}
        spec: {nodeName: node1, containers: [{name: c, image: echo}]}
        ---
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: default, namespace: shop}
        spec: {mtls: {mode: STRICT}}
        """);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> policiesOf("a").contains(STRICT) && policiesOf("b").contains(STRICT));
    Authorization deny = policies.get(STRICT);
    assertThat(deny.getAction()).isEqualTo(Action.DENY);
    assertThat(deny.getScope()).isEqualTo(Scope.WORKLOAD_SELECTOR);
    assertThat(deny.getRules(0).getClauses(0).getMatches(0).getNotPrincipalsList())
        .containsExactly(
            StringMatch.newBuilder()
                .setPresence(com.google.protobuf.Empty.getDefaultInstance())
                .build());

    // b: PERMISSIVE, except port 8080
    apply(
        """
        apiVersion: security.istio.io/v1
        kind: PeerAuthentication
        metadata: {name: b, namespace: shop}
        spec:
          selector: {matchLabels: {app: b}}
          mtls: {mode: PERMISSIVE}
          portLevelMtls: {"8080": {mode: STRICT}}
        """);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> policiesOf("b").equals(List.of("shop/converted_peer_authentication_b")));
    Authorization b = policies.get("shop/converted_peer_authentication_b");
    assertThat(b.getAction()).isEqualTo(Action.DENY);
    assertThat(b.getRules(0).getClauses(1).getMatches(0).getDestinationPortsList())
        .containsExactly(8080);
    assertThat(policiesOf("a")).containsExactly(STRICT);

    // without the namespace policy, a accepts plaintext again
    cp.store().delete(new ResourceKey(Kind.PEER_AUTHENTICATION, "shop", "default"));
    await().atMost(Duration.ofSeconds(10)).until(() -> policiesOf("a").isEmpty());
    assertThat(policiesOf("b")).containsExactly("shop/converted_peer_authentication_b");

    // the last PeerAuthentication gone: the shared policy is removed from the client too
    cp.store().delete(new ResourceKey(Kind.PEER_AUTHENTICATION, "shop", "b"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> policies.isEmpty() && policiesOf("b").isEmpty());
  }
}
