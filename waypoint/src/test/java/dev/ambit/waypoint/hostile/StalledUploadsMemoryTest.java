package dev.ambit.waypoint.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.proto.waypoint.BackendRef;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.ParentRef;
import dev.ambit.proto.waypoint.RouteRule;
import dev.ambit.waypoint.testing.Harness;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetric;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What one HTTP/2 connection can make the waypoint hold: h2load sends 100 concurrent uploads of 8
 * MiB (800 MiB in all) to an h2c backend that accepts every stream and never reads a byte of them.
 * Flow control holds the client back: the waypoint keeps each stream's retry prefix and what its
 * stream window let in, tens of MiB for the whole connection, not the 800 MiB offered. When the
 * client goes away, every upload is reset at the backend.
 */
class StalledUploadsMemoryTest {

  static final int STREAMS = 100;
  static final long BODY = 8L << 20;

  /** The waypoint's share plus the backend's own unread stream windows (same JVM). */
  static final long BOUND = 48L << 20;

  static long nettyBytes() {
    ByteBufAllocatorMetric m = ((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).metric();
    return m.usedDirectMemory() + m.usedHeapMemory();
  }

  @Test
  void uploadsToABackendThatNeverReadsHoldBoundedMemory() throws Exception {
    Path body = Files.createTempFile("ambit-upload", ".bin");
    Process h2load = null;
    AtomicInteger streams = new AtomicInteger();
    AtomicInteger resets = new AtomicInteger();
    List<Channel> accepted = new CopyOnWriteArrayList<>();
    try (Harness h = new Harness()) {
      Channel backend =
          new ServerBootstrap()
              .group(h.group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      accepted.add(ch);
                      ch.pipeline()
                          .addLast(Http2FrameCodecBuilder.forServer().build())
                          .addLast(
                              new Http2MultiplexHandler(
                                  new ChannelInitializer<Channel>() {
                                    @Override
                                    protected void initChannel(Channel stream) {
                                      stream.config().setOption(ChannelOption.AUTO_READ, false);
                                      stream
                                          .pipeline()
                                          .addLast(
                                              new ChannelInboundHandlerAdapter() {
                                                @Override
                                                public void userEventTriggered(
                                                    ChannelHandlerContext ctx, Object evt) {
                                                  if (evt instanceof Http2ResetFrame) {
                                                    resets.incrementAndGet();
                                                  }
                                                }
                                              });
                                      accepted.add(stream);
                                      streams.incrementAndGet();
                                    }
                                  }));
                    }
                  })
              .bind("127.0.0.1", 0)
              .sync()
              .channel();
      try {
        h.connector.map("10.241.1.11:8080", (InetSocketAddress) backend.localAddress());
        h.config(
            List.of(
                HttpRoute.newBuilder()
                    .setName("reviews")
                    .setNamespace("shop")
                    .addParents(ParentRef.newBuilder().setName("reviews"))
                    .addRules(
                        RouteRule.newBuilder()
                            .addBackends(
                                BackendRef.newBuilder()
                                    .setName("reviews-v1")
                                    .setPort(9080)
                                    .setWeight(1)))
                    .build()),
            List.of());
        try (OutputStream out = Files.newOutputStream(body)) {
          byte[] chunk = new byte[1 << 20];
          for (long n = 0; n < BODY; n += chunk.length) {
            out.write(chunk);
          }
        }
        InetSocketAddress to = h.reviews();
        h2load =
            new ProcessBuilder(
                    "h2load",
                    "-n",
                    String.valueOf(STREAMS),
                    "-c",
                    "1",
                    "-m",
                    String.valueOf(STREAMS),
                    "-d",
                    body.toString(),
                    "http://127.0.0.1:" + to.getPort() + "/upload")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () -> assertThat(streams.get()).as("streams at the backend").isEqualTo(STREAMS));
        // Every upload is under way and stalled; what is held stays under the bound.
        await()
            .during(Duration.ofSeconds(2))
            .atMost(Duration.ofSeconds(30))
            .until(() -> nettyBytes() < BOUND);
        // The client goes away: every upload it left unfinished is reset at the backend, although
        // the waypoint's streams still held body bytes they had not read.
        h2load.destroyForcibly().waitFor();
        await()
            .atMost(Duration.ofSeconds(30))
            .untilAsserted(
                () ->
                    assertThat(resets.get()).as("streams reset at the backend").isEqualTo(STREAMS));
      } finally {
        // the client first, then the backend's connections: nothing is left to the loops' shutdown
        if (h2load != null) {
          h2load.destroyForcibly().waitFor();
        }
        backend.close().syncUninterruptibly();
        // streams first: one that holds unread DATA stays open after its connection closed
        accepted.reversed().forEach(c -> c.close().syncUninterruptibly());
      }
    } finally {
      Files.deleteIfExists(body);
    }
  }
}
