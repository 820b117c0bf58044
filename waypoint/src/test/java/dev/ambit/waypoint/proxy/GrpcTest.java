package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.Duration;
import dev.ambit.proto.waypoint.Action;
import dev.ambit.proto.waypoint.Operation;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.proto.waypoint.Rule;
import dev.ambit.proto.waypoint.Timeouts;
import dev.ambit.waypoint.testing.Bytes;
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
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * grpc-java clients and servers through the waypoint: streaming calls stream (the first message
 * arrives while the server still holds the call open; 64 MiB each way arrive intact), and the
 * waypoint's own answers to gRPC calls are gRPC statuses (7 denied, 4 timeout, 14 unreachable) with
 * the matching grpc_response_status metric label.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class GrpcTest {

  static final int MESSAGE = 1 << 20;
  static final int MESSAGES = 64;

  static MethodDescriptor<byte[], byte[]> method(String name, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(type)
        .setFullMethodName("test.Stream/" + name)
        .setRequestMarshaller(InteropTest.BYTES)
        .setResponseMarshaller(InteropTest.BYTES)
        .build();
  }

  static final MethodDescriptor<byte[], byte[]> HOLD =
      method("Hold", MethodDescriptor.MethodType.SERVER_STREAMING);
  static final MethodDescriptor<byte[], byte[]> DOWNLOAD =
      method("Download", MethodDescriptor.MethodType.SERVER_STREAMING);
  static final MethodDescriptor<byte[], byte[]> UPLOAD =
      method("Upload", MethodDescriptor.MethodType.CLIENT_STREAMING);
  static final MethodDescriptor<byte[], byte[]> SLOW =
      method("Slow", MethodDescriptor.MethodType.UNARY);

  final CountDownLatch clientGotFirst = new CountDownLatch(1);
  final AtomicBoolean serverFinished = new AtomicBoolean();
  final CountDownLatch slowRelease = new CountDownLatch(1);
  final ExecutorService serverThreads = Executors.newCachedThreadPool();
  Harness h;
  Server server;
  ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    h = new Harness();
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .executor(serverThreads)
            .maxInboundMessageSize(2 * MESSAGE)
            .addService(
                ServerServiceDefinition.builder("test.Stream")
                    .addMethod(HOLD, ServerCalls.asyncServerStreamingCall(this::hold))
                    .addMethod(DOWNLOAD, ServerCalls.asyncServerStreamingCall(this::download))
                    .addMethod(UPLOAD, ServerCalls.asyncClientStreamingCall(this::upload))
                    .addMethod(SLOW, ServerCalls.asyncUnaryCall(this::slow))
                    .build())
            .build()
            .start();
    h.connector.map("10.241.1.11:8080", new InetSocketAddress("127.0.0.1", server.getPort()));
    InetSocketAddress to = h.reviews();
    channel =
        NettyChannelBuilder.forAddress(to.getHostString(), to.getPort())
            .usePlaintext()
            .maxInboundMessageSize(2 * MESSAGE)
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    slowRelease.countDown();
    clientGotFirst.countDown();
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    serverThreads.shutdownNow();
    h.close();
  }

  void route(RouteRule.Builder rule) {
    h.config(
        List.of(Routes.route(rule.addBackends(Routes.backend("reviews-v1", 1)).build())),
        List.of());
  }

  private void hold(byte[] req, StreamObserver<byte[]> out) {
    out.onNext("message-1".getBytes(StandardCharsets.UTF_8));
    try {
      if (!clientGotFirst.await(30, TimeUnit.SECONDS)) {
        out.onError(Status.ABORTED.withDescription("client never saw message 1").asException());
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    serverFinished.set(true);
    out.onNext("message-2".getBytes(StandardCharsets.UTF_8));
    out.onCompleted();
  }

  private void download(byte[] req, StreamObserver<byte[]> out) {
    for (int i = 0; i < MESSAGES; i++) {
      out.onNext(Bytes.pattern((long) i * MESSAGE, MESSAGE));
    }
    out.onCompleted();
  }

  private StreamObserver<byte[]> upload(StreamObserver<byte[]> out) {
    MessageDigest d = sha256();
    long[] total = new long[1];
    return new StreamObserver<>() {
      @Override
      public void onNext(byte[] value) {
        d.update(value);
        total[0] += value.length;
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onCompleted() {
        out.onNext(
            ("bytes=" + total[0] + " sha256=" + HexFormat.of().formatHex(d.digest()))
                .getBytes(StandardCharsets.UTF_8));
        out.onCompleted();
      }
    };
  }

  private void slow(byte[] req, StreamObserver<byte[]> out) {
    try {
      slowRelease.await(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    out.onNext(req);
    out.onCompleted();
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void serverStreamingMessageArrivesWhileTheServerHoldsTheCallOpen() {
    route(RouteRule.newBuilder());
    Iterator<byte[]> it =
        ClientCalls.blockingServerStreamingCall(channel, HOLD, CallOptions.DEFAULT, new byte[0]);
    assertThat(new String(it.next(), StandardCharsets.UTF_8)).isEqualTo("message-1");
    assertThat(serverFinished).as("the server still holds the call").isFalse();
    clientGotFirst.countDown();
    assertThat(new String(it.next(), StandardCharsets.UTF_8)).isEqualTo("message-2");
    assertThat(it.hasNext()).isFalse();
  }

  @Test
  void largeServerStreamArrivesWhole() {
    route(RouteRule.newBuilder());
    Iterator<byte[]> it =
        ClientCalls.blockingServerStreamingCall(
            channel, DOWNLOAD, CallOptions.DEFAULT, new byte[0]);
    MessageDigest d = sha256();
    long total = 0;
    while (it.hasNext()) {
      byte[] m = it.next();
      d.update(m);
      total += m.length;
    }
    assertThat(total).isEqualTo((long) MESSAGES * MESSAGE);
    assertThat(HexFormat.of().formatHex(d.digest()))
        .isEqualTo(Bytes.patternSha256((long) MESSAGES * MESSAGE));
  }

  @Test
  void largeClientStreamArrivesWhole() throws Exception {
    route(RouteRule.newBuilder());
    CompletableFuture<String> reply = new CompletableFuture<>();
    StreamObserver<byte[]> up =
        ClientCalls.asyncClientStreamingCall(
            channel.newCall(UPLOAD, CallOptions.DEFAULT),
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {
                reply.complete(new String(value, StandardCharsets.UTF_8));
              }

              @Override
              public void onError(Throwable t) {
                reply.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {}
            });
    for (int i = 0; i < MESSAGES; i++) {
      up.onNext(Bytes.pattern((long) i * MESSAGE, MESSAGE));
    }
    up.onCompleted();
    long size = (long) MESSAGES * MESSAGE;
    assertThat(reply.get(60, TimeUnit.SECONDS))
        .isEqualTo("bytes=" + size + " sha256=" + Bytes.patternSha256(size));
  }

  @Test
  void deniedCallGetsPermissionDenied() {
    h.config(
        List.of(),
        List.of(
            PolicyAndTelemetryTest.policy(
                "deny-stream",
                Action.DENY,
                Rule.newBuilder()
                    .addTo(Operation.newBuilder().addPaths("/test.Stream/*"))
                    .build())));
    assertStatus(SLOW, Status.Code.PERMISSION_DENIED, "RBAC: access denied");
    assertThat(slowRelease.getCount()).as("the server was never called").isEqualTo(1);
    awaitMetric("response_code=\"200\",grpc_response_status=\"7\",response_flags=\"UAEX\"");
  }

  @Test
  void timedOutCallGetsDeadlineExceeded() {
    route(
        RouteRule.newBuilder()
            .setTimeouts(
                Timeouts.newBuilder().setRequest(Duration.newBuilder().setNanos(200_000_000))));
    assertStatus(SLOW, Status.Code.DEADLINE_EXCEEDED, "upstream request timeout");
    awaitMetric("response_code=\"200\",grpc_response_status=\"4\",response_flags=\"UT\"");
  }

  @Test
  void unreachableBackendGetsUnavailable() {
    route(RouteRule.newBuilder());
    h.connector.map("10.241.1.11:8080", new InetSocketAddress("127.0.0.1", 1));
    assertStatus(SLOW, Status.Code.UNAVAILABLE, null);
    awaitMetric("response_code=\"200\",grpc_response_status=\"14\",response_flags=\"UF\"");
  }

  void assertStatus(MethodDescriptor<byte[], byte[]> m, Status.Code code, String message) {
    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    m,
                    CallOptions.DEFAULT.withDeadlineAfter(20, TimeUnit.SECONDS),
                    new byte[] {1}))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              if (message != null) {
                assertThat(e.getStatus().getDescription()).isEqualTo(message);
              }
            });
  }

  void awaitMetric(String labels) {
    await()
        .untilAsserted(
            () ->
                assertThat(h.metrics.scrape())
                    .contains("request_protocol=\"grpc\"," + labels + "} 1"));
  }
}
