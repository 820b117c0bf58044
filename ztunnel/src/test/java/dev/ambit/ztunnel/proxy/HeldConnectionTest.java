package dev.ambit.ztunnel.proxy;

import static dev.ambit.ztunnel.state.Fixtures.pod;
import static dev.ambit.ztunnel.state.Fixtures.resource;
import static dev.ambit.ztunnel.state.Fixtures.resources;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.ztunnel.ZtunnelConfig;
import dev.ambit.ztunnel.pods.PodSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A pod enrolled before its state arrived: its first connection waits for the state. */
class HeldConnectionTest {

  @Test
  void connectionWaitsForThePodsStateThenProceeds() throws Exception {
    TestNet.assertRoot();
    String net = TestNet.loopbackPrefix();
    ZtunnelConfig config =
        new ZtunnelConfig(
            15001,
            15006,
            15008,
            15080,
            "cluster.local",
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            true);
    try (Mesh mesh = new Mesh(config);
        EchoServer echo = new EchoServer(new InetSocketAddress(net + "3", 8080))) {
      mesh.addresses(resources(resource(pod("default", "server", "server", net + "3"))));
      for (String[] p :
          List.of(new String[] {"client", net + "2"}, new String[] {"server", net + "3"})) {
        mesh.pods
            .add(
                new PodSpec(
                    "local//Pod/default/" + p[0],
                    p[0],
                    "default",
                    p[0],
                    null,
                    List.of(InetAddress.getByName(p[1]))))
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
      }
      CompletableFuture<String> held =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = new Socket()) {
                  int code =
                      Socks5Client.connect(
                          s, new InetSocketAddress(net + "2", 15080), net + "3", 8080);
                  return code == 0 ? DataPathTest.roundTrip(s, "held") : "refused " + code;
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      await().atMost(10, TimeUnit.SECONDS).until(() -> mesh.ctx.waiter().waiting() == 1);
      assertThat(held).isNotDone();
      mesh.addresses(resources(resource(pod("default", "client", "client", net + "2"))));
      assertThat(held.get(10, TimeUnit.SECONDS)).isEqualTo("held");
    }
  }
}
