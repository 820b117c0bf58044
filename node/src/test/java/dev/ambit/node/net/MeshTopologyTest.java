package dev.ambit.node.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.node.testing.InNetns;
import dev.ambit.node.testing.Root;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MeshTopologyTest {
  private MeshLayout layout;

  @BeforeEach
  void setUp() {
    Root.require();
    layout = new MeshLayout(Root.uniqueName("at"));
  }

  @AfterEach
  void tearDown() {
    MeshTopology.destroy(layout.prefix(), Duration.ofSeconds(2));
  }

  @Test
  void podsOnDifferentNodesAndTheControlPlaneReachEachOther() throws Exception {
    new MeshTopology(layout).create(2);
    String podA = layout.podNetns("default", "a");
    String podB = layout.podNetns("default", "b");
    String ipA = new PodNetwork(layout, 1).attach(podA, 2);
    String ipB = new PodNetwork(layout, 2).attach(podB, 7);
    assertThat(ipA).isEqualTo("10.241.1.2");
    assertThat(ipB).isEqualTo("10.241.2.7");

    assertThat(exchange(podB, ipB, 8080, podA)).isEqualTo("hello from " + podA);
    assertThat(exchange(layout.fabricNetns(), MeshLayout.FABRIC_ADDRESS, 15012, podB))
        .isEqualTo("hello from " + podB);
    assertThat(exchange(podA, ipA, 9000, layout.nodeNetns(2)))
        .isEqualTo("hello from " + layout.nodeNetns(2));
  }

  @Test
  void podsResolveServiceNamesFromTheirHostsFile() {
    new MeshTopology(layout).create(1);
    String pod = layout.podNetns("default", "curl");
    new PodNetwork(layout, 1).attach(pod, 3);
    PodNetwork.writeHosts(
        pod,
        PodHosts.render(
            "default",
            "curl",
            "10.241.1.3",
            List.of(
                new PodHosts.ServiceEntry("default", "echo", "10.96.0.10"),
                new PodHosts.ServiceEntry("other", "db", "10.96.0.11"))));

    assertThat(resolve(pod, "echo")).isEqualTo("10.96.0.10");
    assertThat(resolve(pod, "echo.default")).isEqualTo("10.96.0.10");
    assertThat(resolve(pod, "echo.default.svc.cluster.local")).isEqualTo("10.96.0.10");
    assertThat(resolve(pod, "db.other")).isEqualTo("10.96.0.11");
    Commands.Result unknown =
        Commands.exec(Commands.inNetns(pod, "getent", "hosts", "db.nowhere.example"), null);
    assertThat(unknown.exitCode()).isNotZero();
  }

  @Test
  void destroyLeavesTheHostAsBefore() throws Exception {
    Set<String> linksBefore = hostLinks();
    String iptablesBefore = hostIptables();
    MeshTopology topology = new MeshTopology(layout);
    topology.create(2);
    String pod = layout.podNetns("default", "sleeper");
    new PodNetwork(layout, 1).attach(pod, 2);
    PodNetwork.writeHosts(pod, PodHosts.render("default", "sleeper", "10.241.1.2", List.of()));
    Process sleeper = new ProcessBuilder(Commands.inNetns(pod, "sleep", "300")).start();
    assertThat(NetnsOps.list(layout.prefix() + "-")).hasSize(4);

    MeshTopology.destroy(layout.prefix(), Duration.ofSeconds(2));

    assertThat(sleeper.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(NetnsOps.list(layout.prefix() + "-")).isEmpty();
    assertThat(Commands.run("ip", "netns", "list")).doesNotContain(layout.prefix());
    assertThat(Files.exists(NetnsOps.etcDir(pod))).isFalse();
    assertThat(hostLinks()).isEqualTo(linksBefore);
    assertThat(hostIptables()).isEqualTo(iptablesBefore);
  }

  private static Set<String> hostLinks() {
    return Commands.run("ip", "-o", "link", "show")
        .lines()
        .map(l -> l.split(":\\s+")[1].split("@")[0])
        .collect(Collectors.toSet());
  }

  private static String hostIptables() {
    return Commands.run("iptables-save")
        .lines()
        .filter(l -> !l.startsWith("#"))
        .map(l -> l.replaceAll("\\[\\d+:\\d+\\]", ""))
        .collect(Collectors.joining("\n"));
  }

  private static String resolve(String pod, String name) {
    return Commands.run(Commands.inNetns(pod, "getent", "ahostsv4", name)).split("\\s+")[0];
  }

  /**
   * Listens in {@code serverNs} on ip:port, connects from {@code clientNs}, returns what arrived.
   */
  private static String exchange(String serverNs, String ip, int port, String clientNs)
      throws Exception {
    try (ServerSocketChannel server =
        InNetns.call(
            InNetns.named(serverNs),
            () -> ServerSocketChannel.open().bind(new InetSocketAddress(ip, port)))) {
      CompletableFuture<String> received =
          CompletableFuture.supplyAsync(
              () -> {
                try (SocketChannel accepted = server.accept()) {
                  ByteBuffer buf = ByteBuffer.allocate(256);
                  while (accepted.read(buf) >= 0) {}
                  return new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      try (SocketChannel client = InNetns.call(InNetns.named(clientNs), SocketChannel::open)) {
        client.connect(new InetSocketAddress(ip, port));
        client.write(ByteBuffer.wrap(("hello from " + clientNs).getBytes(StandardCharsets.UTF_8)));
      }
      return received.get(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }
}
