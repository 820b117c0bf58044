package dev.ambit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.control.ControlPlane;
import dev.ambit.control.state.Labels;
import dev.ambit.kube.source.KubeConfigSource;
import dev.ambit.kube.waypoint.WaypointReconciler;
import dev.ambit.proto.workload.Address;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes mode against the fabric8 mock API server (CRUD mode): what is in the cluster reaches
 * each node's xDS client, status is written, waypoints are deployed and removed.
 */
@EnableKubernetesMockClient(crud = true)
class KubeModeTest {

  KubernetesMockServer server;
  KubernetesClient client;
  @TempDir Path home;
  private KubeControlPlane kube;
  private Cluster cluster;
  private NodeXds nodeA;
  private NodeXds nodeB;

  @BeforeEach
  void populate() {
    cluster = new Cluster(client);
    cluster.namespace(
        "shop", Map.of(Labels.DATAPLANE_MODE, Labels.AMBIENT, Labels.USE_WAYPOINT, "waypoint"));
    cluster.node("node-a");
    cluster.node("node-b");
    cluster.serviceAccount("shop", "reviews");
    cluster.serviceAccount("shop", "curl");
    cluster.pod("shop", "reviews-v1", "reviews", "node-a", "10.1.1.5", Map.of("app", "reviews"));
    cluster.pod("shop", "curl", "curl", "node-b", "10.1.2.7", Map.of("app", "curl"));
    cluster.service("shop", "reviews", "10.96.0.20", Map.of("app", "reviews"));
    cluster.create(Cluster.POLICY, Cluster.ALLOW_CURL);
    cluster.create(Cluster.GATEWAY, Cluster.WAYPOINT);
    cluster.create(Cluster.ROUTE_KIND, Cluster.ROUTE);
  }

  private void start(Duration resync) throws InterruptedException {
    ControlPlane.Options control =
        new ControlPlane.Options(
            home.resolve("home"),
            new InetSocketAddress("127.0.0.1", 0),
            new InetSocketAddress("127.0.0.1", 0),
            "cluster.local",
            null,
            Duration.ofHours(24),
            Duration.ofMillis(50));
    KubeControlPlane.Options options = KubeControlPlane.Options.defaults(control);
    kube =
        KubeControlPlane.start(
            client,
            new KubeControlPlane.Options(
                control,
                options.tokenAudience(),
                options.nodeAccounts(),
                resync,
                "ambit/waypoint:test",
                Duration.ofSeconds(30),
                "ambit-system",
                options.rootConfigMap(),
                "Kubernetes",
                null));
    nodeA = new NodeXds(kube.controlPlane(), "node-a", home.resolve("node-a"));
    nodeB = new NodeXds(kube.controlPlane(), "node-b", home.resolve("node-b"));
  }

  @AfterEach
  void stop() {
    // closed before the mock server stops, which waits for its open connections (watches)
    client.close();
    for (AutoCloseable c : new AutoCloseable[] {nodeA, nodeB, kube}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  /** Plays the API server's ClusterIP allocator, which the mock server does not have. */
  private void allocateClusterIp(String ns, String name, String ip) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.services().inNamespace(ns).withName(name).get() != null);
    client
        .services()
        .inNamespace(ns)
        .withName(name)
        .edit(
            s -> {
              s.getSpec().setClusterIP(ip);
              return s;
            });
  }

  private static String ip(Address a) throws Exception {
    var bytes =
        a.hasWorkload()
            ? a.getWorkload().getAddresses(0)
            : a.getService().getAddresses(0).getAddress();
    return InetAddress.getByAddress(bytes.toByteArray()).getHostAddress();
  }

  @Test
  void eachNodeSeesTheClusterAndStatusIsWritten() throws Exception {
    start(Duration.ofMinutes(10));
    allocateClusterIp("shop", "waypoint", "10.96.0.99");

    List<String> expected =
        List.of(
            "Kubernetes//Pod/shop/reviews-v1",
            "Kubernetes//Pod/shop/curl",
            "shop/reviews.shop.svc.cluster.local",
            "shop/waypoint.shop.svc.cluster.local");
    for (NodeXds node : List.of(nodeA, nodeB)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(node.addresses()).containsOnlyKeys(expected);
                Address reviews = node.addresses().get("shop/reviews.shop.svc.cluster.local");
                assertThat(ip(reviews)).isEqualTo("10.96.0.20");
                assertThat(reviews.getService().getWaypoint().getAddress().getAddress())
                    .isEqualTo(
                        com.google.protobuf.ByteString.copyFrom(
                            InetAddress.getByName("10.96.0.99").getAddress()));
                assertThat(node.authorizations()).containsOnlyKeys("shop/allow-curl");
              });
      Address pod = node.addresses().get("Kubernetes//Pod/shop/reviews-v1");
      assertThat(ip(pod)).isEqualTo("10.1.1.5");
      assertThat(pod.getWorkload().getNode()).isEqualTo("node-a");
      assertThat(pod.getWorkload().getServiceAccount()).isEqualTo("reviews");
      assertThat(pod.getWorkload().getClusterId()).isEqualTo("Kubernetes");
      assertThat(node.addresses().get("Kubernetes//Pod/shop/curl").getWorkload().getNode())
          .isEqualTo("node-b");
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              GenericKubernetesResource gw = cluster.get(Cluster.GATEWAY, "shop", "waypoint");
              Map<String, Object> status = map(gw.getAdditionalProperties().get("status"));
              assertThat(status.get("addresses"))
                  .isEqualTo(List.of(Map.of("type", "IPAddress", "value", "10.96.0.99")));
              assertThat(condition(status, "Accepted")).containsEntry("status", "True");
              assertThat(condition(status, "Programmed"))
                  .containsEntry("status", "True")
                  .containsEntry("reason", "Programmed")
                  .containsEntry(
                      "observedGeneration",
                      gw.getMetadata().getGeneration() == null
                          ? null
                          : gw.getMetadata().getGeneration().intValue());
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              GenericKubernetesResource route = cluster.get(Cluster.ROUTE_KIND, "shop", "reviews");
              List<?> parents =
                  (List<?>) map(route.getAdditionalProperties().get("status")).get("parents");
              assertThat(parents).hasSize(1);
              Map<String, Object> parent = map(parents.getFirst());
              assertThat(parent)
                  .containsEntry("controllerName", WaypointReconciler.CONTROLLER_NAME)
                  .containsEntry(
                      "parentRef",
                      Map.of("group", "", "kind", "Service", "name", "reviews", "port", 9080));
              assertThat(condition(parent, "Accepted")).containsEntry("status", "True");
              assertThat(condition(parent, "ResolvedRefs")).containsEntry("status", "True");
            });

    // listener status counts the routes attached to the Gateway itself
    assertThat(listener("mesh")).containsEntry("attachedRoutes", 0);
    cluster.create(
        Cluster.ROUTE_KIND,
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: via-gateway, namespace: shop}
        spec:
          parentRefs: [{name: waypoint, sectionName: mesh}]
          rules:
          - backendRefs: [{name: reviews, port: 9080}]
        """);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              Map<String, Object> mesh = listener("mesh");
              assertThat(mesh)
                  .containsEntry("attachedRoutes", 1)
                  .containsEntry(
                      "supportedKinds",
                      List.of(Map.of("group", "gateway.networking.k8s.io", "kind", "HTTPRoute")));
              assertThat(condition(mesh, "Programmed")).containsEntry("status", "True");
            });
  }

  private Map<String, Object> listener(String name) {
    GenericKubernetesResource gw = cluster.get(Cluster.GATEWAY, "shop", "waypoint");
    return ((List<?>) map(gw.getAdditionalProperties().get("status")).get("listeners"))
        .stream()
            .map(KubeModeTest::map)
            .filter(l -> name.equals(l.get("name")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no listener " + name + " in " + gw));
  }

  @Test
  void updatesAndDeletionsPropagate() throws Exception {
    start(Duration.ofMinutes(10));
    // the store was filled before the first state was served: the first push is complete
    assertThat(nodeB.addresses())
        .containsKeys(
            "Kubernetes//Pod/shop/reviews-v1",
            "Kubernetes//Pod/shop/curl",
            "shop/reviews.shop.svc.cluster.local");

    cluster.pod("shop", "reviews-v2", "reviews", "node-b", "10.1.2.9", Map.of("app", "reviews"));
    client.pods().inNamespace("shop").withName("reviews-v1").delete();
    cluster.delete(Cluster.POLICY, "shop", "allow-curl");
    client.services().inNamespace("shop").withName("reviews").delete();
    for (NodeXds node : List.of(nodeA, nodeB)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(node.addresses())
                    .containsKey("Kubernetes//Pod/shop/reviews-v2")
                    .doesNotContainKeys(
                        "Kubernetes//Pod/shop/reviews-v1", "shop/reviews.shop.svc.cluster.local");
                assertThat(node.authorizations()).isEmpty();
                assertThat(ip(node.addresses().get("Kubernetes//Pod/shop/reviews-v2")))
                    .isEqualTo("10.1.2.9");
              });
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              GenericKubernetesResource route = cluster.get(Cluster.ROUTE_KIND, "shop", "reviews");
              Map<String, Object> parent =
                  map(
                      ((List<?>) map(route.getAdditionalProperties().get("status")).get("parents"))
                          .getFirst());
              assertThat(condition(parent, "Accepted"))
                  .containsEntry("status", "False")
                  .containsEntry("reason", "NoMatchingParent");
              assertThat(condition(parent, "ResolvedRefs"))
                  .containsEntry("status", "False")
                  .containsEntry("reason", "BackendNotFound");
            });
  }

  @Test
  void resyncsAndRelistsPushNothing() throws Exception {
    start(Duration.ofMillis(300));
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> nodeA.addresses().containsKey("Kubernetes//Pod/shop/curl"));
    allocateClusterIp("shop", "waypoint", "10.96.0.99");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> nodeA.addresses().containsKey("shop/waypoint.shop.svc.cluster.local"));
    KubeConfigSource source = kube.source();
    ControlPlane cp = kube.controlPlane();
    // settled: the state is built from the current store, and a first resync round went by
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () -> cp.state().config().resourceVersion() == cp.store().snapshot().resourceVersion());
    long firstRound = source.unchanged();
    await().atMost(Duration.ofSeconds(20)).until(() -> source.unchanged() > firstRound + 10);
    long storeVersion = cp.store().snapshot().resourceVersion();
    var state = cp.state();
    int pushesA = nodeA.responses.get();
    int pushesB = nodeB.responses.get();
    long unchangedBefore = source.unchanged();
    // several more resync rounds of every object (the informers re-deliver their whole cache)
    await().atMost(Duration.ofSeconds(20)).until(() -> source.unchanged() > unchangedBefore + 40);

    // a relist, as after a watch restart (410 Gone): a second source lists everything again
    try (KubeConfigSource relisted =
        KubeConfigSource.start(
            client, kube.controlPlane().store(), Duration.ofMinutes(10), Duration.ofSeconds(30))) {
      assertThat(relisted.processed()).isGreaterThan(10);
      assertThat(relisted.written()).isZero();
    }
    assertThat(cp.store().snapshot().resourceVersion()).isEqualTo(storeVersion);
    assertThat(cp.state()).as("no rebuild at all").isSameAs(state);
    assertThat(nodeA.responses.get()).isEqualTo(pushesA);
    assertThat(nodeB.responses.get()).isEqualTo(pushesB);
  }

  @Test
  void waypointDeploymentFollowsTheGateway() throws Exception {
    start(Duration.ofMinutes(10));
    Deployment dep =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> client.apps().deployments().inNamespace("shop").withName("waypoint").get(),
                d -> d != null);
    assertThat(dep.getSpec().getReplicas()).isEqualTo(1);
    assertThat(dep.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("Gateway");
              assertThat(o.getName()).isEqualTo("waypoint");
              assertThat(o.getController()).isTrue();
            });
    var podSpec = dep.getSpec().getTemplate().getSpec();
    var container = podSpec.getContainers().getFirst();
    assertThat(container.getImage()).isEqualTo("ambit/waypoint:test");
    // what a waypoint pod needs to reach the control plane in a cluster
    assertThat(String.join(" ", container.getArgs()))
        .isEqualTo(
            "waypoint-proxy --name waypoint --namespace shop --node $(NODE_NAME)"
                + " --xds ambit-control.ambit-system.svc:0"
                + " --ca-token-file /var/run/secrets/tokens/istio-token"
                + " --ca-root /var/run/secrets/ambit-ca/root-cert.pem --trust-domain cluster.local");
    assertThat(podSpec.getServiceAccountName()).isEqualTo("waypoint");
    var token =
        podSpec.getVolumes().stream()
            .filter(v -> v.getName().equals("ca-token"))
            .findFirst()
            .orElseThrow()
            .getProjected()
            .getSources()
            .getFirst()
            .getServiceAccountToken();
    assertThat(token.getAudience()).isEqualTo("istio-ca");
    assertThat(token.getPath()).isEqualTo("istio-token");
    assertThat(
            podSpec.getVolumes().stream()
                .filter(v -> v.getName().equals("ca-root"))
                .findFirst()
                .orElseThrow()
                .getConfigMap()
                .getName())
        .isEqualTo("ambit-ca-root");
    assertThat(container.getVolumeMounts())
        .extracting(m -> m.getName() + ":" + m.getMountPath())
        .contains(
            "ca-token:/var/run/secrets/tokens", "ca-root:/var/run/secrets/ambit-ca", "tmp:/tmp");
    Service svc = client.services().inNamespace("shop").withName("waypoint").get();
    assertThat(svc.getSpec().getPorts())
        .extracting(p -> p.getPort())
        .containsExactly(15008, 15021, 15020);
    assertThat(svc.getSpec().getSelector())
        .containsEntry("gateway.networking.k8s.io/gateway-name", "waypoint");

    client
        .genericKubernetesResources(Cluster.GATEWAY)
        .inNamespace("shop")
        .withName("waypoint")
        .edit(
            g -> {
              g.getMetadata().setAnnotations(Map.of(Labels.REPLICAS, "3"));
              return g;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                client
                        .apps()
                        .deployments()
                        .inNamespace("shop")
                        .withName("waypoint")
                        .get()
                        .getSpec()
                        .getReplicas()
                    == 3);

    // an autoscaler takes over: its count stays even when the annotation changes
    client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace("shop")
        .resource(
            new HorizontalPodAutoscalerBuilder()
                .withNewMetadata()
                .withName("waypoint")
                .withNamespace("shop")
                .endMetadata()
                .withNewSpec()
                .withMaxReplicas(10)
                .withNewScaleTargetRef()
                .withApiVersion("apps/v1")
                .withKind("Deployment")
                .withName("waypoint")
                .endScaleTargetRef()
                .endSpec()
                .build())
        .create();
    client.apps().deployments().inNamespace("shop").withName("waypoint").scale(7);
    client
        .genericKubernetesResources(Cluster.GATEWAY)
        .inNamespace("shop")
        .withName("waypoint")
        .edit(
            g -> {
              g.getMetadata().setAnnotations(Map.of(Labels.REPLICAS, "2", "touched", "yes"));
              return g;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              GenericKubernetesResource gw = cluster.get(Cluster.GATEWAY, "shop", "waypoint");
              assertThat(gw.getMetadata().getAnnotations()).containsEntry("touched", "yes");
              assertThat(
                      kube.controlPlane()
                          .store()
                          .snapshot()
                          .get(dev.ambit.api.gateway.GatewaySpec.class, "shop", "waypoint")
                          .orElseThrow()
                          .metadata()
                          .annotations())
                  .containsEntry("touched", "yes");
            });
    assertThat(
            client
                .apps()
                .deployments()
                .inNamespace("shop")
                .withName("waypoint")
                .get()
                .getSpec()
                .getReplicas())
        .isEqualTo(7);

    cluster.delete(Cluster.GATEWAY, "shop", "waypoint");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(client.apps().deployments().inNamespace("shop").withName("waypoint").get())
                  .isNull();
              assertThat(client.services().inNamespace("shop").withName("waypoint").get()).isNull();
              assertThat(client.serviceAccounts().inNamespace("shop").withName("waypoint").get())
                  .isNull();
            });
  }

  @Test
  void serviceWithoutSelectorTakesItsReadyPodsFromEndpointSlices() throws Exception {
    cluster.service("shop", "legacy", "10.96.0.30", Map.of());
    var slice =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withName("legacy-abc12")
            .withNamespace("shop")
            .withLabels(Map.of("kubernetes.io/service-name", "legacy"))
            .endMetadata()
            .withAddressType("IPv4")
            .withEndpoints(
                endpoint("10.1.1.5", "reviews-v1", true), endpoint("10.1.2.7", "curl", false))
            .addNewPort()
            .withName("http")
            .withPort(8080)
            .endPort()
            .build();
    client.discovery().v1().endpointSlices().inNamespace("shop").resource(slice).create();
    start(Duration.ofMinutes(10));
    String legacy = "shop/legacy.shop.svc.cluster.local";
    // listed before the first push: the ready pod is an endpoint, the unready one is not
    assertThat(
            nodeA.addresses().get("Kubernetes//Pod/shop/reviews-v1").getWorkload().getServicesMap())
        .containsKey(legacy);
    assertThat(nodeA.addresses().get("Kubernetes//Pod/shop/curl").getWorkload().getServicesMap())
        .doesNotContainKey(legacy);

    // curl becomes ready, reviews-v1 leaves the slice
    client
        .discovery()
        .v1()
        .endpointSlices()
        .inNamespace("shop")
        .withName("legacy-abc12")
        .edit(
            s -> {
              s.setEndpoints(List.of(endpoint("10.1.2.7", "curl", true)));
              return s;
            });
    for (NodeXds node : List.of(nodeA, nodeB)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(
                        node.addresses()
                            .get("Kubernetes//Pod/shop/curl")
                            .getWorkload()
                            .getServicesMap())
                    .containsKey(legacy);
                assertThat(
                        node.addresses()
                            .get("Kubernetes//Pod/shop/reviews-v1")
                            .getWorkload()
                            .getServicesMap())
                    .doesNotContainKey(legacy);
              });
    }

    // the slice goes: no endpoints
    client.discovery().v1().endpointSlices().inNamespace("shop").withName("legacy-abc12").delete();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        nodeB
                            .addresses()
                            .get("Kubernetes//Pod/shop/curl")
                            .getWorkload()
                            .getServicesMap())
                    .doesNotContainKey(legacy));
    assertThat(nodeB.addresses()).containsKey(legacy);
  }

  private static io.fabric8.kubernetes.api.model.discovery.v1.Endpoint endpoint(
      String ip, String pod, boolean ready) {
    return new io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder()
        .withAddresses(ip)
        .withNewConditions()
        .withReady(ready)
        .endConditions()
        .withNewTargetRef()
        .withKind("Pod")
        .withNamespace("shop")
        .withName(pod)
        .endTargetRef()
        .build();
  }

  @Test
  void meshRootIsPublishedWhereProxiesRun() throws Exception {
    start(Duration.ofMinutes(10));
    String root = dev.ambit.transport.identity.Pem.encode(kube.controlPlane().ca().root());
    // the control plane's namespace and the waypoint's
    for (String ns : List.of("ambit-system", "shop")) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(rootIn(ns)).isEqualTo(root));
    }
    assertThat(rootIn("default")).isNull();

    // deleted or edited: put back
    client.configMaps().inNamespace("shop").withName("ambit-ca-root").delete();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(rootIn("shop")).isEqualTo(root));
    client
        .configMaps()
        .inNamespace("ambit-system")
        .withName("ambit-ca-root")
        .edit(
            cm -> {
              cm.setData(Map.of("root-cert.pem", "not a root"));
              return cm;
            });
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(rootIn("ambit-system")).isEqualTo(root));

    // a waypoint in another namespace
    cluster.namespace("books", Map.of());
    cluster.create(
        Cluster.GATEWAY, Cluster.WAYPOINT.replace("namespace: shop", "namespace: books"));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(rootIn("books")).isEqualTo(root));
  }

  private String rootIn(String ns) {
    var cm = client.configMaps().inNamespace(ns).withName("ambit-ca-root").get();
    return cm == null ? null : cm.getData().get("root-cert.pem");
  }

  static Map<String, Object> condition(Map<String, Object> status, String type) {
    return ((List<?>) status.get("conditions"))
        .stream()
            .map(KubeModeTest::map)
            .filter(c -> type.equals(c.get("type")))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no condition " + type + " in " + status));
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }
}
