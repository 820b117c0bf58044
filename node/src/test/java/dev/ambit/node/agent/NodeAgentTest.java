package dev.ambit.node.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ambit.node.net.Commands;
import dev.ambit.node.net.MeshLayout;
import dev.ambit.node.net.MeshTopology;
import dev.ambit.node.net.NetnsOps;
import dev.ambit.node.net.PodHosts.ServiceEntry;
import dev.ambit.node.redirect.RedirectionRules;
import dev.ambit.node.testing.InNetns;
import dev.ambit.node.testing.Root;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node agent on a real one-node topology, fed views the way the control plane would, with a pods
 * socket that records what ztunnel would be told.
 */
class NodeAgentTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path home;
  private MeshLayout layout;
  private NodeAgent agent;
  private final ViewFeed feed = new ViewFeed();
  private ServerSocketChannel ztunnelSocket;
  private final BlockingQueue<JsonNode> ztunnelRequests = new LinkedBlockingQueue<>();

  @BeforeEach
  void setUp() throws Exception {
    Root.require();
    layout = new MeshLayout(Root.uniqueName("at"));
    new MeshTopology(layout).create(1);
    Path socket = home.resolve("pods.sock");
    ztunnelSocket = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    ztunnelSocket.bind(UnixDomainSocketAddress.of(socket));
    Thread.ofVirtual().start(this::serveZtunnelSocket);
    agent =
        new NodeAgent(
            new NodeAgent.Config(
                layout, 1, home.resolve("node1"), home.resolve("logs"), socket, List.of()),
            feed);
    agent.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (agent != null) {
      agent.close();
    }
    if (ztunnelSocket != null) {
      ztunnelSocket.close();
    }
    MeshTopology.destroy(layout.prefix(), Duration.ofSeconds(2));
  }

  private void serveZtunnelSocket() {
    while (ztunnelSocket.isOpen()) {
      try (SocketChannel ch = ztunnelSocket.accept()) {
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

  private static PodSpec web() {
    return web(false);
  }

  private static PodSpec web(boolean ambient) {
    return new PodSpec(
        "default",
        "web",
        "websa",
        Map.of("app", "web", "version", "v3"),
        List.of(
            new ContainerSpec(
                "main",
                "busybox",
                List.of("sh", "-c"),
                List.of(
                    "echo started $POD_NAME $POD_NAMESPACE $SERVICE_ACCOUNT $VERSION $GREETING;"
                        + " exec socat TCP-LISTEN:8080,fork,reuseaddr 'SYSTEM:echo hello from $POD_NAME'"),
                Map.of("GREETING", "hi"))),
        ambient);
  }

  private static final List<ServiceEntry> SERVICES =
      List.of(new ServiceEntry("default", "web", "10.96.0.20"));

  @Test
  void runsThePodInItsNetnsReportsItsIpAndStopsItWhenDeleted() throws Exception {
    feed.push(new NodeView(List.of(web()), SERVICES));

    PodReport running = feed.awaitReport("web", r -> r.phase().equals(PodReport.RUNNING));
    assertThat(running.podIp()).isEqualTo("10.241.1.2");
    assertThat(running.enrolled()).isFalse();
    assertThat(running.ready()).isTrue();
    String podNetns = layout.podNetns("default", "web");
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(fetch("10.241.1.2", 8080)).isEqualTo("hello from web\n"));
    assertThat(NetnsOps.pids(podNetns)).isNotEmpty();
    Path log = NodeAgent.logFile(home.resolve("logs"), "default", "web");
    assertThat(Files.readString(log)).contains("started web default websa v3 hi");
    assertThat(Commands.run(Commands.inNetns(podNetns, "getent", "ahostsv4", "web.default")))
        .startsWith("10.96.0.20");
    assertThat(ztunnelRequests).isEmpty();

    feed.push(new NodeView(List.of(), SERVICES));

    await().atMost(WAIT).until(() -> !NetnsOps.exists(podNetns));
    assertThat(Files.exists(NetnsOps.etcDir(podNetns))).isFalse();
    assertThat(ztunnelRequests).isEmpty();
  }

  @Test
  void enrollingAndReleasingARunningPodDoesNotRestartIt() throws Exception {
    feed.push(new NodeView(List.of(web()), SERVICES));
    feed.awaitReport("web", r -> r.phase().equals(PodReport.RUNNING));
    String podNetns = layout.podNetns("default", "web");
    List<Long> pidsBefore = NetnsOps.pids(podNetns);
    RedirectionRules rules = new RedirectionRules(NetnsOps.path(podNetns));

    feed.push(new NodeView(List.of(web(true)), SERVICES));

    JsonNode add = ztunnelRequests.poll(20, TimeUnit.SECONDS);
    assertThat(add).isNotNull();
    assertThat(add.path("type").asText()).isEqualTo("add");
    assertThat(add.path("uid").asText()).isEqualTo("local//Pod/default/web");
    assertThat(add.path("name").asText()).isEqualTo("web");
    assertThat(add.path("namespace").asText()).isEqualTo("default");
    assertThat(add.path("serviceAccount").asText()).isEqualTo("websa");
    assertThat(add.path("netns").asText()).isEqualTo("/var/run/netns/" + podNetns);
    assertThat(add.path("ips").toString()).isEqualTo("[\"10.241.1.2\"]");
    feed.awaitReport("web", PodReport::enrolled);
    assertThat(rules.applied()).isTrue();

    feed.push(new NodeView(List.of(web(false)), SERVICES));

    JsonNode del = ztunnelRequests.poll(20, TimeUnit.SECONDS);
    assertThat(del).isNotNull();
    assertThat(del.path("type").asText()).isEqualTo("del");
    assertThat(del.path("uid").asText()).isEqualTo("local//Pod/default/web");
    feed.awaitReport("web", r -> !r.enrolled());
    assertThat(rules.applied()).isFalse();
    assertThat(NetnsOps.pids(podNetns)).containsAll(pidsBefore);
  }

  @Test
  void aPodIsRunningOnlyOnceItsDeclaredPortsListen() throws Exception {
    Path gate = home.resolve("gate");
    PodSpec slow =
        new PodSpec(
            "default",
            "slow",
            null,
            Map.of(),
            List.of(
                new ContainerSpec(
                    "main",
                    "x",
                    List.of("sh", "-c"),
                    List.of(
                        "while [ ! -f "
                            + gate
                            + " ]; do sleep 0.1; done;"
                            + " exec socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:'echo up'"),
                    Map.of(),
                    List.of(8080))),
            false);
    feed.push(new NodeView(List.of(slow), List.of()));

    PodReport pending = feed.awaitReport("slow", r -> r.podIp() != null);
    assertThat(pending.phase()).isEqualTo(PodReport.PENDING);
    assertThat(pending.ready()).isFalse();

    Files.writeString(gate, "go");

    PodReport running = feed.awaitReport("slow", PodReport::ready);
    assertThat(running.phase()).isEqualTo(PodReport.RUNNING);
    assertThat(fetch("10.241.1.2", 8080)).isEqualTo("up\n");
  }

  @Test
  void aCrashedContainerIsRestarted() throws Exception {
    feed.push(new NodeView(List.of(web()), SERVICES));
    feed.awaitReport("web", r -> r.phase().equals(PodReport.RUNNING));
    String podNetns = layout.podNetns("default", "web");
    List<Long> pids = NetnsOps.pids(podNetns);

    pids.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));

    PodReport restarted = feed.awaitReport("web", r -> r.restarts() == 1 && r.ready());
    assertThat(restarted.phase()).isEqualTo(PodReport.RUNNING);
    assertThat(NetnsOps.pids(podNetns)).doesNotContainAnyElementsOf(pids);
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(fetch("10.241.1.2", 8080)).isEqualTo("hello from web\n"));
  }

  @Test
  void aContainerWithAnUnknownImageAndNoCommandFailsWithAClearMessage() {
    PodSpec bad =
        new PodSpec(
            "default",
            "bad",
            null,
            Map.of(),
            List.of(new ContainerSpec("main", "nginx:latest", List.of(), List.of(), Map.of())),
            false);
    feed.push(new NodeView(List.of(bad), List.of()));

    PodReport r = feed.awaitReport("bad", x -> x.phase().equals(PodReport.FAILED));
    assertThat(r.message())
        .contains("image nginx:latest is not a built-in image")
        .contains("ambit/echo");
  }

  private String fetch(String ip, int port) {
    return InNetns.call(
        InNetns.named(layout.nodeNetns(1)),
        () -> {
          try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(ip, port))) {
            return new String(Channels.newInputStream(ch).readAllBytes(), StandardCharsets.UTF_8);
          }
        });
  }

  /** Plays the control plane's part: pushes views and records reports. */
  private static final class ViewFeed implements NodeApi {
    private volatile Consumer<NodeView> listener;
    private final Map<String, PodReport> reports = new ConcurrentHashMap<>();

    @Override
    public AutoCloseable watch(String node, Consumer<NodeView> onChange) {
      assertThat(node).isEqualTo("node1");
      listener = onChange;
      return () -> listener = null;
    }

    @Override
    public void report(PodReport report) {
      reports.put(report.name(), report);
    }

    void push(NodeView view) {
      listener.accept(view);
    }

    PodReport awaitReport(String pod, java.util.function.Predicate<PodReport> condition) {
      return await()
          .atMost(WAIT)
          .until(() -> reports.get(pod), r -> r != null && condition.test(r));
    }
  }
}
