package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.transport.netns.Netns;
import dev.ambit.ztunnel.pods.PodSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A pod in its own network namespace (made by the test): ztunnel opens the pod's listeners inside
 * it, and connections made inside the namespace reach them, through SOCKS5 and through iptables
 * capture (REDIRECT to 15001 read back with SO_ORIGINAL_DST).
 */
class PodNetnsTest {

  static final String POD_IP = "10.241.77.2";

  final String name =
      "zt" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
  final Path netns = Path.of("/var/run/netns", name);
  final List<InetSocketAddress> appPeers = new CopyOnWriteArrayList<>();
  Mesh mesh;
  ServerSocketChannel app;

  @BeforeEach
  void setUp() throws Exception {
    TestNet.assertRoot();
    TestNet.run("ip", "netns", "add", name);
    TestNet.run("ip", "-n", name, "link", "set", "lo", "up");
    TestNet.run("ip", "-n", name, "addr", "add", POD_IP + "/32", "dev", "lo");
    app = Netns.run(netns, ServerSocketChannel::open);
    app.bind(new InetSocketAddress(POD_IP, 7000));
    Thread.ofVirtual().start(this::serveApp);
    mesh = new Mesh(Mesh.config());
    mesh.addresses(resources(resource(pod("default", "app", "app", POD_IP))));
    mesh.pods
        .add(
            new PodSpec(
                "local//Pod/default/app",
                "app",
                "default",
                "app",
                netns,
                List.of(InetAddress.getByName(POD_IP))))
        .toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
  }

  private void serveApp() {
    while (app.isOpen()) {
      try {
        SocketChannel c = app.accept();
        appPeers.add((InetSocketAddress) c.getRemoteAddress());
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
      if (mesh != null) {
        mesh.close();
      }
      if (app != null) {
        app.close();
      }
    } finally {
      TestNet.run("ip", "netns", "del", name);
    }
  }

  Socket socketInPod() throws Exception {
    return Netns.run(netns, SocketChannel::open).socket();
  }

  /**
   * The ztunnel turned on accept-queue migration in the pod's namespace: of two listeners sharing a
   * port (a draining ztunnel's and its successor's), closing one hands the connections waiting in
   * its queue to the other instead of resetting them. Without the setting about half of them would
   * be reset.
   */
  @Test
  void connectionsQueuedOnAClosingListenerMoveToTheOtherListener() throws Exception {
    InetSocketAddress port = new InetSocketAddress(POD_IP, 7100);
    ServerSocketChannel draining = Netns.run(netns, ServerSocketChannel::open);
    ServerSocketChannel successor = Netns.run(netns, ServerSocketChannel::open);
    List<SocketChannel> clients = new ArrayList<>();
    try {
      for (ServerSocketChannel l : List.of(draining, successor)) {
        l.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        l.bind(port, 256);
      }
      for (int i = 0; i < 64; i++) {
        SocketChannel c = Netns.run(netns, SocketChannel::open);
        c.connect(port);
        c.write(ByteBuffer.wrap(new byte[] {(byte) i}));
        clients.add(c);
      }
      draining.close();
      // A reset connection never arrives: wait for each at most 10 s, then report how many moved.
      successor.socket().setSoTimeout(10_000);
      Set<Integer> received = new HashSet<>();
      try {
        while (received.size() < clients.size()) {
          try (Socket accepted = successor.socket().accept()) {
            received.add(accepted.getInputStream().read());
          }
        }
      } catch (SocketTimeoutException e) {
        // fewer arrived: the assertion below says how many
      }
      assertThat(received).as("connections moved to the other listener").hasSize(64);
    } finally {
      draining.close();
      successor.close();
      for (SocketChannel c : clients) {
        c.close();
      }
    }
  }

  @Test
  void listenersOpenInsideThePodNamespaceAndCarrySocksTraffic() throws Exception {
    assertThat(mesh.pods.pod("local//Pod/default/app").listenerAddresses())
        .extracting(InetSocketAddress::getPort)
        .containsExactlyInAnyOrder(15001, 15006, 15008, 15080);
    try (Socket s = socketInPod()) {
      assertThat(Socks5Client.connect(s, new InetSocketAddress("127.0.0.1", 15080), POD_IP, 7000))
          .isZero();
      assertThat(DataPathTest.roundTrip(s, "inside the pod")).isEqualTo("inside the pod");
    }
    assertThat(appPeers)
        .singleElement()
        .satisfies(p -> assertThat(p.getAddress().getHostAddress()).isEqualTo(POD_IP));
    assertThat(mesh.metricsText()).contains("connection_security_policy=\"mutual_tls\"} 14\n");
  }

  @Test
  void capturedOutboundReadsTheOriginalDestination() throws Exception {
    TestNet.run(
        "ip",
        "netns",
        "exec",
        name,
        "iptables",
        "-t",
        "nat",
        "-A",
        "OUTPUT",
        "-p",
        "tcp",
        "--dport",
        "7000",
        "-m",
        "mark",
        "!",
        "--mark",
        "0x539",
        "-j",
        "REDIRECT",
        "--to-ports",
        "15001");
    try (Socket s = socketInPod()) {
      s.connect(new InetSocketAddress(POD_IP, 7000), 5000);
      s.setSoTimeout(10_000);
      assertThat(DataPathTest.roundTrip(s, "captured")).isEqualTo("captured");
    }
    assertThat(mesh.metricsText())
        .containsPattern(
            "istio_tcp_received_bytes_total\\{reporter=\"source\",.*connection_security_policy=\"mutual_tls\"\\} 8\n")
        .containsPattern(
            "istio_tcp_received_bytes_total\\{reporter=\"destination\",.*connection_security_policy=\"mutual_tls\"\\} 8\n");
  }
}
