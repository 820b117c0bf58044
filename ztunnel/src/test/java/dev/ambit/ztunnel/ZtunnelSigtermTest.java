package dev.ambit.ztunnel;

import static dev.ambit.ztunnel.state.Fixtures.backs;
import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.service;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.control.ca.CaLoader;
import dev.ambit.control.ca.CaService;
import dev.ambit.control.ca.CertificateAuthority;
import dev.ambit.control.ca.Identities;
import dev.ambit.control.metrics.ControlMetrics;
import dev.ambit.control.server.SecureGrpcServer;
import dev.ambit.control.xds.DeltaAdsService;
import dev.ambit.control.xds.XdsPublisher;
import dev.ambit.control.xds.XdsResource;
import dev.ambit.control.xds.XdsSnapshot;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.workload.Address;
import dev.ambit.transport.netns.Netns;
import dev.ambit.ztunnel.proxy.DataPathTest;
import dev.ambit.ztunnel.proxy.EchoServer;
import dev.ambit.ztunnel.proxy.Socks5Client;
import dev.ambit.ztunnel.proxy.TestNet;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drain on a real SIGTERM: two ztunnels as separate OS processes (the options of {@code ambit
 * ztunnel}, through the same {@link ZtunnelProcess} the command runs) share the pods' listeners
 * with SO_REUSEPORT, against the real control plane (TLS xDS and CA on loopback). The pods live in
 * network namespaces the test creates, joined by a veth pair, as in {@code ambit up}: there the
 * ztunnel turns on accept-queue migration, so a connection still queued on the first ztunnel's
 * listener when it closes moves to the second one's. The first is sent SIGTERM while a long-lived
 * connection through it is open and a client keeps opening new ones.
 */
class ZtunnelSigtermTest {

  private static final org.slf4j.Logger LOG =
      org.slf4j.LoggerFactory.getLogger(ZtunnelSigtermTest.class);

  static final String ECHO_KEY = "default/echo.default.svc.cluster.local";
  static final int DRAIN_SECONDS = 3;

  @TempDir Path dir;
  final String net = TestNet.loopbackPrefix();
  final String clientIp = "10.242.7.2";
  final String serverIp = "10.242.7.3";
  final String name =
      "zs" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt()).substring(0, 6);
  final Path clientNetns = TestNet.netns(name + "c");
  final Path serverNetns = TestNet.netns(name + "s");
  boolean namespacesCreated;
  final HttpClient http = HttpClient.newHttpClient();
  final List<Process> processes = new ArrayList<>();
  CertificateAuthority ca;
  SecureGrpcServer control;
  EchoServer echo;
  Path credentials;

  @BeforeEach
  void setUp() throws Exception {
    TestNet.assertRoot();
    namespacesCreated = true;
    TestNet.linkedPods(name + "c", clientIp, name + "s", serverIp);
    ca =
        new CertificateAuthority(
            CaLoader.loadOrCreateRoot(dir.resolve("ca"), "cluster.local"),
            "cluster.local",
            Duration.ofDays(1),
            Clock.systemUTC());
    Map<String, XdsResource> addresses = new HashMap<>();
    for (var w :
        List.of(
            pod("default", "client", "client", clientIp).setWorkloadName("client"),
            backs(
                pod("default", "server", "server", serverIp).setWorkloadName("server"),
                ECHO_KEY,
                80,
                8080))) {
      addresses.put(
          w.getUid(), XdsResource.of(w.getUid(), Address.newBuilder().setWorkload(w).build()));
    }
    var svc = service("default", "echo", "10.242.7.200", 80, 8080);
    addresses.put(ECHO_KEY, XdsResource.of(ECHO_KEY, Address.newBuilder().setService(svc).build()));
    XdsPublisher publisher = new XdsPublisher();
    publisher.publish(new XdsSnapshot(1, System.nanoTime(), Map.of(TypeUrls.ADDRESS, addresses)));
    ControlMetrics metrics = new ControlMetrics();
    control =
        new SecureGrpcServer(
            new InetSocketAddress("127.0.0.1", 0),
            ca.issueServerCredential(
                List.of(Identities.CONTROL_DNS_NAME), List.of("127.0.0.1"), Duration.ofDays(1)),
            "cluster.local",
            List.of(
                new CaService(ca, (node, id) -> null, metrics),
                new DeltaAdsService(publisher, metrics)));
    credentials = dir.resolve("node1");
    ca.issueNodeCredential("node1", Duration.ofDays(1)).writeTo(credentials);
    echo = EchoServer.in(serverNetns, new InetSocketAddress(serverIp, 8080));
    Files.writeString(
        dir.resolve("logback.xml"),
        """
        <configuration>
          <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
            <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{0} %msg%n</pattern></encoder>
          </appender>
          <root level="INFO"><appender-ref ref="out"/></root>
        </configuration>
        """);
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      for (Process p : processes) {
        if (p.isAlive()) {
          p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
      }
      if (echo != null) {
        echo.close();
      }
      if (control != null) {
        control.close();
      }
    } finally {
      if (namespacesCreated) {
        TestNet.run("ip", "netns", "del", name + "c");
        TestNet.run("ip", "netns", "del", name + "s");
      }
    }
  }

  /**
   * Starts {@code ambit ztunnel} options in a new JVM; its admin endpoints on {@code adminIp}, its
   * output in {@code <name>.log}. Returns once it is ready and both pods are handed over.
   */
  Process startZtunnel(String name, String adminIp) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path socket = dir.resolve(name + ".sock");
    Process p =
        new ProcessBuilder(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-Dlogback.configurationFile=" + dir.resolve("logback.xml"),
                "-cp",
                System.getProperty("java.class.path"),
                ZtunnelMain.class.getName(),
                "--node",
                "node1",
                "--xds",
                "127.0.0.1:" + control.port(),
                "--credentials",
                credentials.toString(),
                "--pods-socket",
                socket.toString(),
                "--admin-address",
                adminIp + ":15000",
                "--metrics-address",
                adminIp + ":15020",
                "--ready-address",
                adminIp + ":15021",
                "--drain-seconds",
                Integer.toString(DRAIN_SECONDS))
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve(name + ".log").toFile())
            .start();
    processes.add(p);
    await()
        .atMost(60, TimeUnit.SECONDS)
        .ignoreExceptions()
        .until(() -> ready(adminIp) == 200 || !p.isAlive());
    assertThat(p.isAlive()).as(log(name)).isTrue();
    for (String pod : List.of("client", "server")) {
      Path netns = pod.equals("client") ? clientNetns : serverNetns;
      String reply =
          ZtunnelProcessTest.podSocket(
              socket,
              "{\"type\":\"add\",\"uid\":\"local//Pod/default/"
                  + pod
                  + "\",\"name\":\""
                  + pod
                  + "\",\"namespace\":\"default\",\"serviceAccount\":\""
                  + pod
                  + "\",\"netns\":\""
                  + netns
                  + "\",\"ips\":[\""
                  + (pod.equals("client") ? clientIp : serverIp)
                  + "\"]}");
      assertThat(reply).as(log(name)).isEqualTo("{\"ok\":true}");
    }
    return p;
  }

  int ready(String adminIp) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create("http://" + adminIp + ":15021/healthz/ready"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }

  String log(String name) throws IOException {
    return Files.readString(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
  }

  /** A connection from inside the client pod through its ztunnel's SOCKS5 listener. */
  Socket socks() throws IOException {
    Socket s;
    try {
      s = Netns.run(clientNetns, SocketChannel::open).socket();
    } catch (Exception e) {
      throw new IOException("no socket in the client pod", e);
    }
    int reply = Socks5Client.connect(s, new InetSocketAddress("127.0.0.1", 15080), "echo", 80);
    if (reply != 0) {
      s.close();
      throw new IOException("SOCKS reply " + reply);
    }
    return s;
  }

  @Test
  void sigtermDrainsTheLongLivedConnectionUntilTheDeadlineWhileTheNewZtunnelTakesAllNewOnes()
      throws Exception {
    Process old = startZtunnel("old", net + "10");
    Socket longLived;
    try {
      longLived = socks();
    } catch (IOException e) {
      throw new AssertionError("no connection through the first ztunnel\n" + log("old"), e);
    }
    try (longLived) {
      assertThat(DataPathTest.roundTrip(longLived, "before")).isEqualTo("before");
      startZtunnel("new", net + "11");

      // New connections, one after the other, for the whole handover; every failure counts.
      AtomicBoolean stopLoop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      AtomicInteger okAfterExit = new AtomicInteger();
      List<String> refused = new java.util.concurrent.CopyOnWriteArrayList<>();
      AtomicLong signalled = new AtomicLong();
      CompletableFuture<Void> loop =
          CompletableFuture.runAsync(
              () -> {
                for (int i = 0; !stopLoop.get(); i++) {
                  try (Socket s = socks()) {
                    String text = "new " + i;
                    if (DataPathTest.roundTrip(s, text).equals(text)) {
                      ok.incrementAndGet();
                      if (!old.isAlive()) {
                        okAfterExit.incrementAndGet();
                      }
                    } else {
                      refused.add(i + ": wrong echo");
                    }
                  } catch (IOException e) {
                    refused.add(
                        "connection "
                            + i
                            + ", "
                            + (System.nanoTime() - signalled.get()) / 1_000_000
                            + " ms after SIGTERM (old alive: "
                            + old.isAlive()
                            + "): "
                            + e);
                  }
                }
              });
      await().atMost(20, TimeUnit.SECONDS).until(() -> ok.get() >= 20);

      signalled.set(System.nanoTime());
      Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(old.pid())).start();
      assertThat(kill.waitFor()).isZero();
      await().atMost(10, TimeUnit.SECONDS).until(() -> log("old").contains("drain started"));

      // The long-lived connection keeps carrying bytes both ways until the drain deadline.
      AtomicInteger duringDrain = new AtomicInteger();
      AtomicLong lastOk = new AtomicLong();
      AtomicLong closedAt = new AtomicLong();
      await()
          .atMost(DRAIN_SECONDS + 20, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                try {
                  String text = "during drain " + duringDrain.get();
                  if (!DataPathTest.roundTrip(longLived, text).equals(text)) {
                    closedAt.set(System.nanoTime());
                    return true;
                  }
                  duringDrain.incrementAndGet();
                  lastOk.set(System.nanoTime());
                  return false;
                } catch (IOException closed) {
                  closedAt.set(System.nanoTime());
                  return true;
                }
              });
      assertThat(DataPathTest.closedByPeer(longLived.getInputStream())).isTrue();
      assertThat(Duration.ofNanos(closedAt.get() - signalled.get()))
          .as("the long-lived connection is not closed before the drain deadline")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(DRAIN_SECONDS));
      assertThat(Duration.ofNanos(lastOk.get() - signalled.get()))
          .as("the long-lived connection carried bytes until shortly before the deadline")
          .isGreaterThanOrEqualTo(Duration.ofSeconds(DRAIN_SECONDS - 1));

      assertThat(old.waitFor(30, TimeUnit.SECONDS)).as(log("old")).isTrue();
      assertThat(old.exitValue()).as(log("old")).isZero();
      await().atMost(20, TimeUnit.SECONDS).until(() -> okAfterExit.get() >= 20);
      stopLoop.set(true);
      loop.get(30, TimeUnit.SECONDS);
      assertThat(refused)
          .as("new connections refused during the handover\n%s\n%s", log("old"), log("new"))
          .isEmpty();
      assertThat(log("old"))
          .contains("SIGTERM received: draining")
          .contains("drain started")
          .containsPattern("drain ended: [1-9][0-9]* sockets still open at the deadline closed")
          .contains("stopped");
      LOG.info(
          "handover: {} new connections ok ({} after the old ztunnel exited), {} refused; {} round"
              + " trips on the long-lived connection during the drain, closed {} ms after SIGTERM",
          ok.get(),
          okAfterExit.get(),
          refused.size(),
          duringDrain.get(),
          (closedAt.get() - signalled.get()) / 1_000_000);
    }
  }
}
