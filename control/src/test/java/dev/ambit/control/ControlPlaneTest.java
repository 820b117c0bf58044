package dev.ambit.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import dev.ambit.control.ca.TestCerts;
import dev.ambit.proto.client.CaClient;
import dev.ambit.proto.client.ControlPlaneCredentials;
import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.client.XdsClient;
import dev.ambit.proto.control.ApplyRequest;
import dev.ambit.proto.control.ConfigSource;
import dev.ambit.proto.control.DescribeRequest;
import dev.ambit.proto.control.GetRequest;
import dev.ambit.proto.control.LabelRequest;
import dev.ambit.proto.control.ObjectRef;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.transport.identity.CertificateIssuer;
import io.grpc.StatusRuntimeException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ControlPlaneTest {

  @TempDir Path home;
  private ControlPlane cp;
  private ManagementClient mgmt;

  private static final String APP =
      """
      apiVersion: v1
      kind: Namespace
      metadata:
        name: shop
      ---
      apiVersion: v1
      kind: Service
      metadata: {name: reviews, namespace: shop, labels: {istio.io/use-waypoint: waypoint}}
      spec:
        selector: {app: reviews}
        ports: [{name: http, port: 9080, targetPort: 8080}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: reviews-v1, namespace: shop, labels: {app: reviews}}
      spec:
        serviceAccountName: reviews
        containers: [{name: app, image: echo}]
      ---
      apiVersion: v1
      kind: Pod
      metadata: {name: curl, namespace: shop}
      spec:
        serviceAccountName: curl
        containers: [{name: app, image: curl}]
      ---
      apiVersion: gateway.networking.k8s.io/v1
      kind: Gateway
      metadata: {name: waypoint, namespace: shop}
      spec:
        gatewayClassName: istio-waypoint
        listeners: [{name: mesh, port: 15008, protocol: HBONE}]
      """;

  @BeforeEach
  void start() {
    cp =
        ControlPlane.start(
            new ControlPlane.Options(
                home,
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                "cluster.local",
                null,
                Duration.ofHours(24),
                Duration.ofMillis(50)));
    mgmt = ManagementClient.connect(cp.socket());
  }

  @AfterEach
  void stop() {
    if (mgmt != null) {
      mgmt.close();
    }
    if (cp != null) {
      cp.close();
    }
  }

  private void apply(String name, String yaml) {
    mgmt.stub()
        .apply(
            ApplyRequest.newBuilder()
                .addSources(ConfigSource.newBuilder().setName(name).setYaml(yaml))
                .build());
  }

  @Test
  void socketIsOwnerOnly() throws Exception {
    assertThat(Files.getPosixFilePermissions(cp.socket()))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  void invalidApplyIsRejectedWholeWithFileLineMessages() {
    String yaml =
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: fine
        ---
        apiVersion: v1
        kind: Service
        metadata:
          name: broken
        spec:
          ports:
          - port: 99999
        """;
    assertThatThrownBy(() -> apply("bad.yaml", yaml))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .startsWith("bad.yaml:12: spec.ports[0].port: ");
            });
    assertThat(
            mgmt.stub().get(GetRequest.newBuilder().setKind("namespaces").build()).getObjectsList())
        .isEmpty();
  }

  @Test
  void nodesWatchTheirPodsReportIpsAndProxiesGetThemOverXds() throws Exception {
    Path n1 = home.resolve("node1-creds");
    mgmt.registerNode("node1", "10.240.0.11", n1);
    mgmt.registerNode("node2", "10.240.0.12", home.resolve("node2-creds"));
    Map<String, PodInfo> node1Pods = new ConcurrentHashMap<>();
    var synced = new java.util.concurrent.CountDownLatch(1);
    var watch =
        mgmt.watchPods(
            "node1",
            new ManagementClient.PodListener() {
              public void added(PodInfo p) {
                node1Pods.put(p.getName(), p);
              }

              public void modified(PodInfo p) {
                node1Pods.put(p.getName(), p);
              }

              public void deleted(PodInfo p) {
                node1Pods.remove(p.getName());
              }

              public void synced() {
                synced.countDown();
              }
            });
    try {
      assertThat(synced.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      apply("app.yaml", APP);

      // three pods (reviews-v1, curl, waypoint-0) spread round-robin over two nodes
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  cp.state().pods().values().stream().allMatch(p -> !p.getNode().isEmpty())
                      && cp.state().pods().size() == 3);
      long onNode1 =
          cp.state().pods().values().stream().filter(p -> p.getNode().equals("node1")).count();
      assertThat(onNode1).isBetween(1L, 2L);
      await().atMost(Duration.ofSeconds(10)).until(() -> node1Pods.size() == onNode1);
      PodInfo waypointPod = cp.state().pods().get("shop/waypoint-0");
      assertThat(waypointPod.getWaypointForGateway()).isEqualTo("waypoint");
      assertThat(waypointPod.getContainers(0).getImage()).isEqualTo("ambit/waypoint");
      assertThat(waypointPod.getServiceAccount()).isEqualTo("waypoint");
      assertThat(waypointPod.getAmbient()).isFalse();

      String reviewsNode = cp.state().pods().get("shop/reviews-v1").getNode();
      Path creds = home.resolve(reviewsNode + "-creds");
      Map<String, Address> addresses = new ConcurrentHashMap<>();
      try (XdsClient xds =
          XdsClient.builder(
                  "127.0.0.1:" + cp.xdsPort(), ControlPlaneCredentials.fromDirectory(creds))
              .nodeId("ztunnel~" + reviewsNode)
              .subscribe(
                  TypeUrls.ADDRESS,
                  Address.class,
                  (up, rm) -> {
                    addresses.putAll(up);
                    rm.forEach(addresses::remove);
                  })
              .subscribe(TypeUrls.AUTHORIZATION, Authorization.class, (up, rm) -> {})
              .build()) {
        xds.start();
        assertThat(xds.awaitSynced(Duration.ofSeconds(10))).isTrue();
        assertThat(addresses)
            .containsKeys(
                "local//Pod/shop/reviews-v1",
                "shop/reviews.shop.svc.cluster.local",
                "shop/waypoint.shop.svc.cluster.local");
        assertThat(addresses.get("shop/reviews.shop.svc.cluster.local").getService().hasWaypoint())
            .isTrue();

        mgmt.updatePodStatus("shop", "reviews-v1", "10.241.1.7", "Running");

        ByteString ip = ByteString.copyFrom(InetAddress.ofLiteral("10.241.1.7").getAddress());
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(
                            addresses
                                .get("local//Pod/shop/reviews-v1")
                                .getWorkload()
                                .getAddressesList())
                        .containsExactly(ip));
        if (reviewsNode.equals("node1")) {
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> node1Pods.get("reviews-v1").getPodIp().equals("10.241.1.7"));
        }

        // the namespace joins the mesh: the pods' membership changes
        mgmt.stub()
            .label(
                LabelRequest.newBuilder()
                    .setRef(ObjectRef.newBuilder().setKind("namespace").setName("shop"))
                    .putSet("istio.io/dataplane-mode", "ambient")
                    .build());
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> cp.state().pods().get("shop/reviews-v1").getAmbient());
        await()
            .atMost(Duration.ofSeconds(10))
            .untilAsserted(
                () ->
                    assertThat(
                            addresses
                                .get("local//Pod/shop/reviews-v1")
                                .getWorkload()
                                .getTunnelProtocol())
                        .isEqualTo(dev.ambit.proto.workload.TunnelProtocol.HBONE));

        // deleting the pod removes it from every proxy
        mgmt.stub()
            .delete(
                dev.ambit.proto.control.DeleteRequest.newBuilder()
                    .addRefs(
                        ObjectRef.newBuilder().setKind("pod").setNamespace("shop").setName("curl"))
                    .build());
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> !addresses.containsKey("local//Pod/shop/curl"));
      }

      // the CA hands out identities by node
      String otherNode = reviewsNode.equals("node1") ? "node2" : "node1";
      try (CaClient ca =
          new CaClient("127.0.0.1:" + cp.xdsPort(), ControlPlaneCredentials.fromDirectory(creds))) {
        assertThat(
                ca.createCertificate(
                    TestCerts.csr(CertificateIssuer.newKeyPair()),
                    "spiffe://cluster.local/ns/shop/sa/reviews",
                    Duration.ofHours(1)))
            .hasSize(2);
      }
      try (CaClient ca =
          new CaClient(
              "127.0.0.1:" + cp.xdsPort(),
              ControlPlaneCredentials.fromDirectory(home.resolve(otherNode + "-creds")))) {
        assertThatThrownBy(
                () ->
                    ca.createCertificate(
                        TestCerts.csr(CertificateIssuer.newKeyPair()),
                        "spiffe://cluster.local/ns/shop/sa/reviews",
                        Duration.ofHours(1)))
            .hasMessageContaining("PERMISSION_DENIED")
            .hasMessageContaining(
                "no pod with service account reviews in namespace shop is scheduled on node "
                    + otherNode);
      }

      String describe =
          mgmt.stub()
              .describe(
                  DescribeRequest.newBuilder()
                      .setRef(
                          ObjectRef.newBuilder()
                              .setKind("svc")
                              .setNamespace("shop")
                              .setName("reviews"))
                      .build())
              .getText();
      assertThat(describe)
          .contains("Waypoint:")
          .contains("shop/waypoint (10.96.")
          .contains("reviews-v1 10.241.1.7 on " + reviewsNode);

      HttpClient http = HttpClient.newHttpClient();
      String metrics =
          http.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + cp.debugPort() + "/metrics"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(metrics)
          .contains("citadel_server_success_cert_issuance_count 1")
          .contains("citadel_server_authentication_failure_count 1")
          .contains("pilot_xds_pushes{type=\"Address\"}")
          .contains("pilot_proxy_convergence_time_count");
      String dump =
          http.send(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + cp.debugPort() + "/debug/config_dump"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      assertThat(dump)
          .contains("\"local//Pod/shop/reviews-v1\"")
          .contains("\"serviceAccount\":\"reviews\"");
    } finally {
      watch.close();
    }
  }

  @Test
  void deletingTheGatewayRemovesItsWaypointDeployment() throws Exception {
    mgmt.registerNode("node1", "10.240.0.11", null);
    apply(
        "gw.yaml",
        """
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata:
          name: wp
          annotations: {ambit.dev/replicas: "2"}
        spec:
          gatewayClassName: istio-waypoint
          listeners: [{name: mesh, port: 15008, protocol: HBONE}]
        """);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cp.state()
                    .pods()
                    .keySet()
                    .containsAll(java.util.Set.of("default/wp-0", "default/wp-1")));
    assertThat(
            mgmt.stub()
                .get(GetRequest.newBuilder().setKind("svc").setName("wp").build())
                .getObjects(0)
                .getColumnsList())
        .anySatisfy(
            c -> assertThat(c.getName() + "=" + c.getValue()).startsWith("CLUSTER-IP=10.96."));

    mgmt.stub()
        .delete(
            dev.ambit.proto.control.DeleteRequest.newBuilder()
                .addRefs(ObjectRef.newBuilder().setKind("gateway").setName("wp"))
                .build());

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cp.state().pods().isEmpty() && cp.state().services().isEmpty());
  }

  @Test
  void restartKeepsConfigAssignedVipsAndNodes() throws Exception {
    mgmt.registerNode("node1", "10.240.0.11", null);
    apply("app.yaml", APP);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cp.state().pods().size() == 3
                    && cp.state().pods().values().stream().noneMatch(p -> p.getNode().isEmpty()));
    mgmt.updatePodStatus("shop", "curl", "10.241.1.9", "Running");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> cp.state().pods().get("shop/curl").getPodIp().equals("10.241.1.9"));
    String vip =
        cp.store()
            .get(dev.ambit.api.core.ServiceSpec.class, "shop", "reviews")
            .orElseThrow()
            .spec()
            .clusterIP();
    var root = cp.ca().root();
    // let the writer thread save the last change (after a quiet second)
    Path saved = home.resolve("config/objects.yaml");
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> Files.exists(saved) && Files.readString(saved).contains("10.241.1.9"));
    mgmt.close();
    cp.close();

    start();

    assertThat(cp.ca().root()).isEqualTo(root);
    assertThat(
            cp.store()
                .get(dev.ambit.api.core.ServiceSpec.class, "shop", "reviews")
                .orElseThrow()
                .spec()
                .clusterIP())
        .isEqualTo(vip);
    assertThat(cp.state().pods().get("shop/curl").getPodIp()).isEqualTo("10.241.1.9");
    assertThat(cp.state().pods().get("shop/curl").getNode()).isEqualTo("node1");
    assertThat(Files.getPosixFilePermissions(home.resolve("config/objects.yaml")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }
}
