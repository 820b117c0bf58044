package dev.ambit.node.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EchoServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private EchoServer server;

  @BeforeEach
  void start() {
    server =
        EchoServer.start(
            new InetSocketAddress("127.0.0.1", 0), new PodInfo("echo-v1", "default", "echo", "v1"));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private URI uri(String pathAndQuery) {
    return URI.create("http://127.0.0.1:" + server.port() + pathAndQuery);
  }

  @Test
  void http11RequestIsEchoedWithPodIdentity() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> resp =
        client.send(
            HttpRequest.newBuilder(uri("/hello/world?a=1&a=2&b=x")).header("x-test", "yes").build(),
            HttpResponse.BodyHandlers.ofString());

    assertThat(resp.statusCode()).isEqualTo(200);
    assertThat(resp.version()).isEqualTo(HttpClient.Version.HTTP_1_1);
    JsonNode body = JSON.readTree(resp.body());
    assertThat(body.path("method").asText()).isEqualTo("GET");
    assertThat(body.path("path").asText()).isEqualTo("/hello/world");
    assertThat(body.path("protocol").asText()).isEqualTo("HTTP/1.1");
    assertThat(body.path("host").asText()).isEqualTo("127.0.0.1:" + server.port());
    assertThat(body.path("headers").path("x-test").asText()).isEqualTo("yes");
    assertThat(body.path("query").path("a").toString()).isEqualTo("[\"1\",\"2\"]");
    assertThat(body.path("pod").path("name").asText()).isEqualTo("echo-v1");
    assertThat(body.path("pod").path("namespace").asText()).isEqualTo("default");
    assertThat(body.path("pod").path("serviceAccount").asText()).isEqualTo("echo");
    assertThat(body.path("version").asText()).isEqualTo("v1");
    assertThat(resp.headers().firstValue("x-echo-version")).hasValue("v1");
  }

  @Test
  void h2cUpgradeServesTheRequestOverHttp2() throws Exception {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> resp =
          client.send(
              HttpRequest.newBuilder(uri("/up?n=" + i)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(resp.statusCode()).isEqualTo(200);
      assertThat(resp.version()).isEqualTo(HttpClient.Version.HTTP_2);
      JsonNode body = JSON.readTree(resp.body());
      assertThat(body.path("protocol").asText()).isEqualTo("HTTP/2.0");
      assertThat(body.path("path").asText()).isEqualTo("/up");
      assertThat(body.path("query").path("n").get(0).asText()).isEqualTo(String.valueOf(i));
    }
  }

  @Test
  void grpcHealthCheckOverPriorKnowledgeH2cAnswersServing() {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
    try {
      HealthCheckResponse resp =
          HealthGrpc.newBlockingStub(channel)
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .check(HealthCheckRequest.newBuilder().setService("").build());
      assertThat(resp.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
      StatusRuntimeException watch =
          org.assertj.core.api.Assertions.catchThrowableOfType(
              StatusRuntimeException.class,
              () ->
                  HealthGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .watch(HealthCheckRequest.getDefaultInstance())
                      .next());
      assertThat(watch.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNIMPLEMENTED);
    } finally {
      channel.shutdownNow();
    }
  }

  @Test
  void statusAndDelayAreChosenPerRequest() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    HttpResponse<String> byQuery =
        client.send(
            HttpRequest.newBuilder(uri("/?status=503")).build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(byQuery.statusCode()).isEqualTo(503);

    long start = System.nanoTime();
    HttpResponse<String> byHeader =
        client.send(
            HttpRequest.newBuilder(uri("/"))
                .header("x-echo-status", "418")
                .header("x-echo-delay-ms", "300")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(byHeader.statusCode()).isEqualTo(418);
    assertThat(Duration.ofNanos(System.nanoTime() - start))
        .isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(JSON.readTree(byHeader.body()).path("pod").path("name").asText())
        .isEqualTo("echo-v1");
  }
}
