package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ambit.waypoint.testing.Harness;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Independent clients and servers through the waypoint: grpc-java, curl and h2load. */
class InteropTest {

  static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  static final MethodDescriptor<byte[], byte[]> SAY =
      MethodDescriptor.<byte[], byte[]>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("test.Echo/Say")
          .setRequestMarshaller(BYTES)
          .setResponseMarshaller(BYTES)
          .build();

  Harness h;

  @BeforeEach
  void start() throws Exception {
    h = new Harness();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  @Test
  void grpcJavaClientAndServerThroughTheWaypoint() throws Exception {
    Server server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(
                ServerServiceDefinition.builder("test.Echo")
                    .addMethod(
                        SAY,
                        ServerCalls.asyncUnaryCall(
                            (req, out) -> {
                              String s = new String(req, StandardCharsets.UTF_8);
                              if (s.equals("fail")) {
                                out.onError(
                                    Status.UNAVAILABLE
                                        .withDescription("down")
                                        .asRuntimeException());
                                return;
                              }
                              out.onNext(("hello " + s).getBytes(StandardCharsets.UTF_8));
                              out.onCompleted();
                            }))
                    .build())
            .build()
            .start();
    h.connector.map("10.241.1.11:8080", new InetSocketAddress("127.0.0.1", server.getPort()));
    h.config(
        List.of(
            Routes.route(
                dev.ambit.proto.waypoint.RouteRule.newBuilder()
                    .addBackends(Routes.backend("reviews-v1", 1))
                    .build())),
        List.of());
    InetSocketAddress to = h.reviews();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(to.getHostString(), to.getPort()).usePlaintext().build();
    try {
      for (int i = 0; i < 5; i++) {
        byte[] reply =
            ClientCalls.blockingUnaryCall(
                channel,
                SAY,
                CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                ("n" + i).getBytes(StandardCharsets.UTF_8));
        assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo("hello n" + i);
      }
      assertThatThrownBy(
              () ->
                  ClientCalls.blockingUnaryCall(
                      channel,
                      SAY,
                      CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                      "fail".getBytes(StandardCharsets.UTF_8)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription()).isEqualTo("down");
              });
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains(
                        "request_protocol=\"grpc\",response_code=\"200\",grpc_response_status=\"0\",response_flags=\"-\"} 5")
                    .contains(
                        "request_protocol=\"grpc\",response_code=\"200\",grpc_response_status=\"14\",response_flags=\"-\"} 1"));
  }

  static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("%s finishes", List.of(command)).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("%s exit status; output:%n%s", command[0], text).isZero();
    return text;
  }

  @Test
  void curlOverHttp11AndHttp2PriorKnowledge() throws Exception {
    InetSocketAddress to = h.reviews();
    String url = "http://127.0.0.1:" + to.getPort() + "/curl?x=1";
    String h1 = run("curl", "-sS", "--http1.1", "-H", "x-test: one", url);
    assertThat(h1).contains("uri=/curl?x=1").contains("h:x-test=one");
    String h2 =
        run(
            "curl",
            "-sS",
            "--http2-prior-knowledge",
            "-w",
            "\\n%{http_version}",
            "-H",
            "x-test: two",
            url);
    assertThat(h2).contains("uri=/curl?x=1").contains("h:x-test=two").endsWith("\n2");
  }

  @Test
  void h2loadRequestsAllSucceed() throws Exception {
    InetSocketAddress to = h.reviews();
    String out =
        run(
            "h2load",
            "-n",
            "300",
            "-c",
            "3",
            "-m",
            "10",
            "http://127.0.0.1:" + to.getPort() + "/load");
    assertThat(out).contains("300 succeeded, 0 failed, 0 errored");
    assertThat(out).contains("status codes: 300 2xx");
  }
}
