package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.transport.netns.Netns;
import dev.ambit.ztunnel.identity.TestCa;
import dev.ambit.ztunnel.pods.PodSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pure L4 path (no waypoint) between two nodes: a client pod and a server pod, each in its own
 * network namespace with the node agent's redirection rules, joined by a veth pair (the link
 * between the nodes), each enrolled in its own ztunnel (one mesh CA). The client and the server
 * know nothing of the mesh: a plain connect and a plain echo. A capture on the link shows HBONE
 * (TLS on 15008) only, never the payload; both ztunnels report the connection as mutual TLS with
 * the workloads' labels.
 */
class TwoNodeL4Test {

  static final String CLIENT_IP = "10.243.1.2";
  static final String SERVER_IP = "10.243.1.3";

  final String id =
      HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
  final String clientNs = "zt2c" + id;
  final String serverNs = "zt2s" + id;
  @TempDir Path dir;
  Mesh node1;
  Mesh node2;
  ServerSocketChannel app;

  @BeforeEach
  void setUp() throws Exception {
    TestNet.assertRoot();
    TestNet.linkedPods(clientNs, CLIENT_IP, serverNs, SERVER_IP);
    app = Netns.run(TestNet.netns(serverNs), ServerSocketChannel::open);
    app.bind(new InetSocketAddress(SERVER_IP, 7000));
    Thread.ofVirtual().start(this::serveApp);
    TestCa ca = new TestCa("two-nodes");
    node1 = new Mesh(Mesh.config(), ca);
    node2 = new Mesh(Mesh.config(), ca);
    for (Mesh m : List.of(node1, node2)) {
      m.addresses(
          resources(
              resource(pod("default", "client", "client", CLIENT_IP).setWorkloadName("client")),
              resource(pod("default", "server", "server", SERVER_IP).setWorkloadName("server"))));
    }
    enroll(node1, "client", clientNs, CLIENT_IP);
    enroll(node2, "server", serverNs, SERVER_IP);
  }

  static void enroll(Mesh node, String name, String ns, String ip) throws Exception {
    node.pods
        .add(
            new PodSpec(
                "local//Pod/default/" + name,
                name,
                "default",
                name,
                TestNet.netns(ns),
                List.of(InetAddress.getByName(ip))))
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  private void serveApp() {
    while (app.isOpen()) {
      try {
        SocketChannel c = app.accept();
        Thread.ofVirtual()
            .start(
                () -> {
                  try (Socket s = c.socket();
                      InputStream in = s.getInputStream();
                      OutputStream out = s.getOutputStream()) {
                    in.transferTo(out);
                  } catch (IOException ignored) {
                    // client gone
                  }
                });
      } catch (IOException e) {
        return;
      }
    }
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (AutoCloseable c : new AutoCloseable[] {node1, node2, app}) {
        if (c != null) {
          c.close();
        }
      }
    } finally {
      TestNet.run("ip", "netns", "del", clientNs);
      TestNet.run("ip", "netns", "del", serverNs);
    }
  }

  /** tcpdump on the client side of the link, started once it says it is listening. */
  Process capture(Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                "ip",
                "netns",
                "exec",
                clientNs,
                "tcpdump",
                "-i",
                "link0",
                "--immediate-mode",
                "-U",
                "-Z",
                "root",
                "-n",
                "-w",
                file.toString(),
                "tcp")
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    do {
      line = out.readLine();
    } while (line != null && !line.contains("listening"));
    assertThat(line).as("tcpdump started").isNotNull();
    return p;
  }

  static long packets(Path file, String filter) throws Exception {
    Process p =
        new ProcessBuilder("tcpdump", "-n", "-r", file.toString(), filter)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    long n = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().count();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return n;
  }

  @Test
  void bytesCrossTheLinkInsideMutualTlsOnlyAndBothNodesReportTheWorkloads() throws Exception {
    String marker = "l4-plaintext-" + Long.toHexString(System.nanoTime());
    Path pcap = dir.resolve("link.pcap");
    Process tcpdump = capture(pcap);
    try (Socket s = Netns.run(TestNet.netns(clientNs), SocketChannel::open).socket()) {
      s.connect(new InetSocketAddress(SERVER_IP, 7000), 5000);
      s.setSoTimeout(10_000);
      assertThat(DataPathTest.roundTrip(s, marker)).isEqualTo(marker);
      s.shutdownOutput();
      assertThat(s.getInputStream().read()).isEqualTo(-1);
    } finally {
      tcpdump.destroy();
      assertThat(tcpdump.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    byte[] captured = Files.readAllBytes(pcap);
    assertThat(new String(captured, StandardCharsets.ISO_8859_1))
        .as("payload in plaintext on the link between the nodes")
        .doesNotContain(marker);
    assertThat(packets(pcap, "tcp port 15008")).as("HBONE packets on the link").isPositive();
    assertThat(packets(pcap, "not tcp port 15008"))
        .as("anything but HBONE on the link (the application's port 7000 never appears)")
        .isZero();

    int n = marker.length();
    assertThat(node1.metricsText())
        .containsPattern(
            "istio_tcp_received_bytes_total\\{reporter=\"source\",source_workload=\"client\","
                + "source_workload_namespace=\"default\","
                + "source_principal=\"spiffe://cluster.local/ns/default/sa/client\",.*"
                + "destination_workload=\"server\",destination_workload_namespace=\"default\","
                + "destination_principal=\"spiffe://cluster.local/ns/default/sa/server\",.*"
                + "connection_security_policy=\"mutual_tls\"\\} "
                + n
                + "\n");
    assertThat(node2.metricsText())
        .containsPattern(
            "istio_tcp_sent_bytes_total\\{reporter=\"destination\",source_workload=\"client\","
                + "source_workload_namespace=\"default\","
                + "source_principal=\"spiffe://cluster.local/ns/default/sa/client\",.*"
                + "destination_workload=\"server\",.*"
                + "connection_security_policy=\"mutual_tls\"\\} "
                + n
                + "\n");
  }
}
