package dev.ambit.ztunnel.pods;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PodSocketServerTest {

  @TempDir Path dir;

  final Map<String, PodSpec> pods = new ConcurrentHashMap<>();

  final PodLifecycle lifecycle =
      new PodLifecycle() {
        @Override
        public CompletionStage<Void> add(PodSpec pod) {
          if (pod.name().equals("broken")) {
            return CompletableFuture.failedFuture(new IllegalStateException("cannot enter netns"));
          }
          pods.put(pod.uid(), pod);
          return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> remove(String uid) {
          pods.remove(uid);
          return CompletableFuture.completedFuture(null);
        }
      };

  @Test
  void addAndDeleteOverJsonLines() throws Exception {
    Path socket = dir.resolve("pods.sock");
    try (PodSocketServer server = new PodSocketServer(socket, lifecycle);
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)))
          .isEqualTo("rw-------");
      ch.connect(UnixDomainSocketAddress.of(socket));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(ch), StandardCharsets.UTF_8));
      OutputStream out = Channels.newOutputStream(ch);
      send(
          out,
          "{\"type\":\"add\",\"uid\":\"local//Pod/default/curl\",\"name\":\"curl\",\"namespace\":\"default\","
              + "\"serviceAccount\":\"sleep\",\"netns\":\"/var/run/netns/x-default-curl\",\"ips\":[\"10.241.1.2\"]}");
      assertThat(in.readLine()).isEqualTo("{\"ok\":true}");
      PodSpec spec = pods.get("local//Pod/default/curl");
      assertThat(spec.serviceAccount()).isEqualTo("sleep");
      assertThat(spec.netns()).isEqualTo(Path.of("/var/run/netns/x-default-curl"));
      assertThat(spec.ips()).containsExactly(InetAddress.getByName("10.241.1.2"));

      send(
          out,
          "{\"type\":\"add\",\"uid\":\"u\",\"name\":\"broken\",\"namespace\":\"default\",\"ips\":[\"10.241.1.3\"]}");
      assertThat(in.readLine()).isEqualTo("{\"ok\":false,\"error\":\"cannot enter netns\"}");
      send(
          out,
          "{\"type\":\"add\",\"uid\":\"u\",\"namespace\":\"default\",\"ips\":[\"curl.example\"]}");
      assertThat(in.readLine())
          .isEqualTo("{\"ok\":false,\"error\":\"not an IP address: curl.example\"}");
      send(out, "{\"type\":\"add\",\"uid\":");
      assertThat(in.readLine())
          .isEqualTo(
              "{\"ok\":false,\"error\":\"invalid JSON at offset 20: unexpected end of input\"}");
      send(out, "[\"add\"]");
      assertThat(in.readLine())
          .isEqualTo("{\"ok\":false,\"error\":\"a request must be a JSON object\"}");
      send(out, "{\"type\":\"frobnicate\"}");
      assertThat(in.readLine())
          .isEqualTo("{\"ok\":false,\"error\":\"unknown request type: frobnicate\"}");

      send(out, "{\"type\":\"del\",\"uid\":\"local//Pod/default/curl\"}");
      assertThat(in.readLine()).isEqualTo("{\"ok\":true}");
      assertThat(pods).isEmpty();
    }
    assertThat(socket).doesNotExist();
  }

  private static void send(OutputStream out, String line) throws Exception {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
  }
}
