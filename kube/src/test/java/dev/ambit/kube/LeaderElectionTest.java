package dev.ambit.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.control.ControlPlane;
import dev.ambit.control.state.Labels;
import dev.ambit.transport.identity.Pem;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two control-plane replicas against one (mock) API server: both serve xDS, only the holder of the
 * Lease deploys waypoints and publishes the root; when it stops, the other takes over.
 */
@EnableKubernetesMockClient(crud = true)
class LeaderElectionTest {

  KubernetesMockServer server;
  KubernetesClient client;
  @TempDir Path home;
  private KubeControlPlane first;
  private KubeControlPlane second;
  private NodeXds xds;
  private Cluster cluster;

  @BeforeEach
  void populate() {
    cluster = new Cluster(client);
    cluster.namespace(
        "shop", Map.of(Labels.DATAPLANE_MODE, Labels.AMBIENT, Labels.USE_WAYPOINT, "waypoint"));
    cluster.node("node-a");
    cluster.pod("shop", "reviews-v1", "reviews", "node-a", "10.1.1.5", Map.of("app", "reviews"));
    cluster.create(Cluster.GATEWAY, Cluster.WAYPOINT);
  }

  @AfterEach
  void stop() {
    // closed before the mock server stops, which waits for its open connections (watches)
    client.close();
    for (AutoCloseable c : new AutoCloseable[] {xds, first, second}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception e) {
        // keep closing the rest
      }
    }
  }

  private KubeControlPlane replica(String name) {
    ControlPlane.Options control =
        new ControlPlane.Options(
            home.resolve(name),
            new InetSocketAddress("127.0.0.1", 0),
            new InetSocketAddress("127.0.0.1", 0),
            "cluster.local",
            null,
            Duration.ofHours(24),
            Duration.ofMillis(50));
    KubeControlPlane.Options defaults = KubeControlPlane.Options.defaults(control);
    return KubeControlPlane.start(
        client,
        new KubeControlPlane.Options(
                control,
                defaults.tokenAudience(),
                defaults.nodeAccounts(),
                defaults.resync(),
                "ambit/waypoint:test",
                Duration.ofSeconds(30),
                "ambit-system",
                defaults.rootConfigMap(),
                defaults.clusterId(),
                null)
            .withElection(
                new Leadership.Election(
                    "ambit-system",
                    "ambit-control",
                    name,
                    Duration.ofSeconds(4),
                    Duration.ofSeconds(3),
                    Duration.ofMillis(250))));
  }

  private String holder() {
    Lease lease = client.leases().inNamespace("ambit-system").withName("ambit-control").get();
    return lease == null ? null : lease.getSpec().getHolderIdentity();
  }

  private String publishedRoot() {
    ConfigMap cm = client.configMaps().inNamespace("shop").withName("ambit-ca-root").get();
    return cm == null ? null : cm.getData().get("root-cert.pem");
  }

  private static String root(KubeControlPlane kube) {
    return Pem.encode(kube.controlPlane().ca().root());
  }

  @Test
  void onlyTheLeaderReconcilesAndTheOtherTakesOver() throws Exception {
    first = replica("first");
    await().atMost(Duration.ofSeconds(20)).until(first::leading);
    second = replica("second");
    assertThat(holder()).isEqualTo("first");

    // the leader's work: the waypoint Deployment and the root (each replica has its own root
    // here, so the published one tells who wrote it)
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                client.apps().deployments().inNamespace("shop").withName("waypoint").get() != null
                    && root(first).equals(publishedRoot()));

    // the follower serves xDS all the same
    xds = new NodeXds(second.controlPlane(), "node-a", home.resolve("node-a"));
    assertThat(xds.addresses()).containsKey("Kubernetes//Pod/shop/reviews-v1");
    assertThat(second.leading()).isFalse();
    assertThat(holder()).isEqualTo("first");
    assertThat(publishedRoot()).isEqualTo(root(first));

    first.close();
    first = null;
    await().atMost(Duration.ofSeconds(20)).until(second::leading);
    assertThat(holder()).isEqualTo("second");
    cluster.create(
        Cluster.GATEWAY, Cluster.WAYPOINT.replace("name: waypoint", "name: second-waypoint"));
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(
                      client
                          .apps()
                          .deployments()
                          .inNamespace("shop")
                          .withName("second-waypoint")
                          .get())
                  .isNotNull();
              assertThat(publishedRoot()).isEqualTo(root(second));
            });
  }
}
