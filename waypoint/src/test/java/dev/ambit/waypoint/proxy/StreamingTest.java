package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.proto.waypoint.Retry;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.waypoint.testing.Bytes;
import dev.ambit.waypoint.testing.Harness;
import dev.ambit.waypoint.testing.StreamingBackend;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import java.io.BufferedReader;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * HTTP/1.1 bodies stream through the waypoint both ways: far larger than any buffer, checked by
 * size and checksum, and each direction delivers its first bytes while the sender still holds the
 * rest (proved with latches, not timing).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class StreamingTest {

  static final long LARGE = 64L << 20;

  /**
   * Far below the body size: a proxy that buffered bodies would hold all 64 MiB at once; a
   * streaming one holds a few reads' worth per direction (plus the allocator's chunk granularity).
   */
  static final long MEMORY_BOUND = 16L << 20;

  Harness h;
  StreamingBackend backend;
  HttpClient client;
  InetSocketAddress to;

  @BeforeEach
  void start() throws Exception {
    h = new Harness();
    backend = new StreamingBackend(h.group);
    h.connector.map("10.241.1.11:8080", backend.address());
    h.config(
        List.of(
            Routes.route(
                RouteRule.newBuilder()
                    .addBackends(Routes.backend("reviews-v1", 1))
                    .setRetry(Retry.newBuilder().setAttempts(3).addCodes(503))
                    .build())),
        List.of());
    to = h.reviews();
    client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  }

  @AfterEach
  void stop() {
    client.close();
    backend.close();
    h.close();
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + to.getPort() + path);
  }

  /** Bytes held in Netty buffers of this JVM (waypoint, backend) right now. */
  static long nettyBytes() {
    ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    return m.usedDirectMemory() + m.usedHeapMemory();
  }

  @Test
  void largeUploadArrivesWholeWithItsChecksumInBoundedMemory() throws Exception {
    AtomicLong peak = new AtomicLong();
    HttpResponse<String> res =
        client.send(
            HttpRequest.newBuilder(uri("/upload"))
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () ->
                            new FilterInputStream(
                                Bytes.patternStream(LARGE, Long.MAX_VALUE, () -> {})) {
                              @Override
                              public int read(byte[] b, int off, int len) throws IOException {
                                peak.accumulateAndGet(nettyBytes(), Math::max);
                                return super.read(b, off, len);
                              }
                            }))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).isEqualTo("bytes=" + LARGE + " sha256=" + Bytes.patternSha256(LARGE));
    assertThat(peak.get())
        .as("Netty buffers held while 64 MiB went through")
        .isPositive()
        .isLessThan(MEMORY_BOUND);
  }

  @Test
  void largeDownloadArrivesWholeWithItsChecksumInBoundedMemory() throws Exception {
    AtomicLong peak = new AtomicLong();
    HttpResponse<InputStream> res =
        client.send(
            HttpRequest.newBuilder(uri("/download?size=" + LARGE)).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(res.statusCode()).isEqualTo(200);
    long[] length = new long[1];
    String sha =
        Bytes.sha256(
            new FilterInputStream(res.body()) {
              @Override
              public int read(byte[] b, int off, int len) throws IOException {
                peak.accumulateAndGet(nettyBytes(), Math::max);
                return super.read(b, off, len);
              }
            },
            length);
    assertThat(length[0]).isEqualTo(LARGE);
    assertThat(sha).isEqualTo(Bytes.patternSha256(LARGE));
    assertThat(peak.get())
        .as("Netty buffers held while 64 MiB went through")
        .isPositive()
        .isLessThan(MEMORY_BOUND);
  }

  @Test
  void uploadReachesTheBackendWhileTheClientStillHoldsTheRest() throws Exception {
    long first = 1L << 20;
    backend.signalAfter = first;
    long size = 4L << 20;
    // The client sends 1 MiB, then nothing more until the backend has received that MiB: a proxy
    // that waited for the whole body would never let this request finish. A plain socket, so
    // that the waiting happens on the test's thread and nothing else holds the bytes back.
    try (Socket socket = new Socket(to.getAddress(), to.getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("POST /upload HTTP/1.1\r\nHost: reviews\r\nContent-Length: "
                  + size
                  + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      for (long off = 0; off < size; off += 1 << 16) {
        if (off == first) {
          out.flush();
          assertThat(backend.firstBytes.await(20, TimeUnit.SECONDS))
              .as("the backend received the first MiB while the client held the rest")
              .isTrue();
        }
        out.write(Bytes.pattern(off, 1 << 16));
      }
      out.flush();
      String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertThat(reply)
          .startsWith("HTTP/1.1 200")
          .endsWith("bytes=" + size + " sha256=" + Bytes.patternSha256(size));
    }
  }

  @Test
  void serverSentEventsReachTheClientWhileTheBackendHoldsTheStreamOpen() throws Exception {
    HttpResponse<InputStream> res =
        client.send(
            HttpRequest.newBuilder(uri("/hold")).build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type")).hasValue("text/event-stream");
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(res.body(), StandardCharsets.US_ASCII))) {
      assertThat(events.readLine()).isEqualTo("data: message-1");
      assertThat(backend.finished).as("the backend still holds the stream").isFalse();
      backend.release.complete(null);
      assertThat(events.readLine()).isEmpty();
      assertThat(events.readLine()).isEqualTo("data: message-2");
      assertThat(events.readLine()).isEmpty();
      assertThat(events.readLine()).isNull();
    }
  }

  @Test
  void bodiesLargerThanTheRetryBufferAreNotRetried() throws Exception {
    h.v1.close();
    dev.ambit.waypoint.testing.EchoServer flaky =
        new dev.ambit.waypoint.testing.EchoServer("flaky", h.group);
    try {
      flaky.flaky = true;
      h.connector.map("10.241.1.11:8080", flaky.address());
      String small = "x".repeat(1024);
      HttpResponse<String> ok =
          client.send(
              HttpRequest.newBuilder(uri("/small"))
                  .POST(HttpRequest.BodyPublishers.ofString(small))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).as("a small body is replayed").isEqualTo(200);
      assertThat(ok.body()).contains("body=" + small);
      assertThat(flaky.requestCount.get()).isEqualTo(3);
      HttpResponse<String> big =
          client.send(
              HttpRequest.newBuilder(uri("/big"))
                  .POST(HttpRequest.BodyPublishers.ofString("y".repeat(200 * 1024)))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(big.statusCode()).as("a body beyond 64 KiB gets one attempt").isEqualTo(503);
      assertThat(flaky.requestCount.get()).isEqualTo(4);
    } finally {
      flaky.close();
    }
  }
}
