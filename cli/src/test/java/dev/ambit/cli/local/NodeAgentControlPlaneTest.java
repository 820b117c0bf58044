package dev.ambit.cli.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ambit.control.ControlPlane;
import dev.ambit.node.agent.NodeAgent;
import dev.ambit.node.net.Commands;
import dev.ambit.node.net.MeshLayout;
import dev.ambit.node.net.MeshTopology;
import dev.ambit.node.net.NetnsOps;
import dev.ambit.node.redirect.RedirectionRules;
import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.ApplyRequest;
import dev.ambit.proto.control.ConfigSource;
import dev.ambit.proto.control.DeleteRequest;
import dev.ambit.proto.control.GetRequest;
import dev.ambit.proto.control.LabelRequest;
import dev.ambit.proto.control.ObjectRef;
import dev.ambit.proto.control.PodInfo;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node agent driven by the real control plane over its management socket: pods applied as YAML
 * run in their namespaces on a one-node topology, their IPs are reported back, labelling the
 * namespace enrolls them, deleting them stops them.
 */
class NodeAgentControlPlaneTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(30);

  @TempDir Path home;
  private MeshLayout layout;
  private ControlPlane control;
  private ManagementClient client;
  private NodeAgent agent;
  private ServerSocketChannel ztunnel;
  private final BlockingQueue<JsonNode> ztunnelRequests = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() throws Exception {
    if (!RootCheck.isRoot()) {
      throw new AssertionError("this test creates network namespaces and needs root");
    }
    byte[] b = new byte[3];
    ThreadLocalRandom.current().nextBytes(b);
    layout = new MeshLayout("at" + HexFormat.of().formatHex(b));
    new MeshTopology(layout).create(1);
    ControlPlane.Options defaults = ControlPlane.Options.defaults(home);
    control =
        ControlPlane.start(
            new ControlPlane.Options(
                home,
                new InetSocketAddress("127.0.0.1", 0),
                new InetSocketAddress("127.0.0.1", 0),
                defaults.trustDomain(),
                null,
                defaults.maxCertLifetime(),
                Duration.ofMillis(20)));
    client = ManagementClient.connect(control.socket());
    client.registerNode("node1", MeshLayout.nodeAddress(1), null);
    Path socket = home.resolve("pods.sock");
    ztunnel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    ztunnel.bind(UnixDomainSocketAddress.of(socket));
    Thread.ofVirtual().start(this::serveZtunnel);
    agent =
        new NodeAgent(
            new NodeAgent.Config(
                layout,
                1,
                home.resolve("agent"),
                home.resolve("logs"),
                socket,
                Launcher.ambitSmall()),
            new ManagementNodeApi(client, p -> List.of()));
    agent.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (client != null) {
      client.close();
    }
    if (control != null) {
      control.close();
    }
    if (ztunnel != null) {
      ztunnel.close();
    }
    MeshTopology.destroy(layout.prefix(), Duration.ofSeconds(2));
  }

  private void serveZtunnel() {
    while (ztunnel.isOpen()) {
      try (SocketChannel ch = ztunnel.accept()) {
        BufferedReader in =
            new BufferedReader(
                new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
        ztunnelRequests.add(JSON.readTree(in.readLine()));
        ch.write(ByteBuffer.wrap("{\"ok\":true}\n".getBytes(StandardCharsets.UTF_8)));
      } catch (Exception e) {
        return;
      }
    }
  }

  private static final String YAML =
      """
      apiVersion: v1
      kind: Namespace
      metadata:
        name: shop
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: shop
      spec:
        selector:
          app: web
        ports:
          - port: 8080
      ---
      apiVersion: v1
      kind: Pod
      metadata:
        name: web
        namespace: shop
        labels:
          app: web
      spec:
        nodeName: node1
        serviceAccountName: websa
        containers:
          - name: web
            image: ambit/echo
            env:
              - name: VERSION
                value: v7
      """;

  private Optional<PodInfo> pod(String name) throws Exception {
    return ControlQueries.pods(client).stream().filter(p -> p.getName().equals(name)).findFirst();
  }

  @Test
  void podsOfTheControlPlaneRunReportTheirIpAndFollowTheirNamespaceIntoTheMesh() throws Exception {
    client
        .stub()
        .apply(
            ApplyRequest.newBuilder()
                .addSources(ConfigSource.newBuilder().setName("shop.yaml").setYaml(YAML))
                .build());

    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              PodInfo p = pod("web").orElse(null);
              assertThat(p).isNotNull();
              assertThat(p.getPodIp()).isEqualTo("10.241.1.2");
              assertThat(p.getPhase()).isEqualTo("Running");
            });
    String podNetns = layout.podNetns("shop", "web");
    String vip =
        ControlQueries.column(
            client
                .stub()
                .get(
                    GetRequest.newBuilder()
                        .setKind("Service")
                        .setNamespace("shop")
                        .setName("web")
                        .build())
                .getObjects(0),
            "CLUSTER-IP");
    assertThat(vip).startsWith("10.96.");
    await()
        .atMost(WAIT)
        .untilAsserted(
            () ->
                assertThat(
                        Commands.exec(
                                Commands.inNetns(podNetns, "getent", "ahostsv4", "web.shop"), null)
                            .stdout())
                    .startsWith(vip));
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              JsonNode echo =
                  JSON.readTree(
                      Commands.exec(
                              Commands.inNetns(
                                  layout.nodeNetns(1), "curl", "-s", "http://10.241.1.2:8080/hi"),
                              null)
                          .stdout());
              assertThat(echo.path("path").asText()).isEqualTo("/hi");
              assertThat(echo.path("pod").path("name").asText()).isEqualTo("web");
              assertThat(echo.path("pod").path("namespace").asText()).isEqualTo("shop");
              assertThat(echo.path("pod").path("serviceAccount").asText()).isEqualTo("websa");
              assertThat(echo.path("version").asText()).isEqualTo("v7");
            });
    List<Long> pids = NetnsOps.pids(podNetns);
    assertThat(ztunnelRequests).isEmpty();

    client
        .stub()
        .label(
            LabelRequest.newBuilder()
                .setRef(ObjectRef.newBuilder().setKind("Namespace").setName("shop"))
                .putSet("istio.io/dataplane-mode", "ambient")
                .build());

    JsonNode add = ztunnelRequests.poll(30, TimeUnit.SECONDS);
    assertThat(add).isNotNull();
    assertThat(add.path("type").asText()).isEqualTo("add");
    assertThat(add.path("uid").asText()).isEqualTo("local//Pod/shop/web");
    assertThat(add.path("serviceAccount").asText()).isEqualTo("websa");
    assertThat(add.path("ips").toString()).isEqualTo("[\"10.241.1.2\"]");
    await().atMost(WAIT).until(() -> new RedirectionRules(NetnsOps.path(podNetns)).applied());
    assertThat(NetnsOps.pids(podNetns)).containsAll(pids);

    client
        .stub()
        .delete(
            DeleteRequest.newBuilder()
                .addRefs(ObjectRef.newBuilder().setKind("Pod").setNamespace("shop").setName("web"))
                .build());

    JsonNode del = ztunnelRequests.poll(30, TimeUnit.SECONDS);
    assertThat(del).isNotNull();
    assertThat(del.path("type").asText()).isEqualTo("del");
    await().atMost(WAIT).until(() -> !NetnsOps.exists(podNetns));
  }
}
