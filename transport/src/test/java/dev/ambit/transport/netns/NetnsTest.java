package dev.ambit.transport.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ambit.transport.testing.TestNetns;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetnsTest {

  private static final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private static final String INSIDE = "10.77.0.1";

  private TestNetns ns;

  @AfterAll
  static void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() throws Exception {
    ns = TestNetns.create();
    ns.addresses(INSIDE + "/24");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (ns != null) {
      ns.close();
    }
  }

  private Channel upperCaseListener() throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channelFactory(NetnsChannelFactory.serverSocket(ns.path(), ch -> {}))
        .childHandler(
            new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(
                        new ChannelInboundHandlerAdapter() {
                          @Override
                          public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ByteBuf in = (ByteBuf) msg;
                            String text = in.toString(StandardCharsets.UTF_8).toUpperCase();
                            in.release();
                            ctx.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
                          }
                        });
              }
            })
        .bind(new InetSocketAddress(INSIDE, 7070))
        .sync()
        .channel();
  }

  @Test
  void listenerOnAnAddressThatExistsOnlyInTheNamespaceServesClientsInside() throws Exception {
    Channel listener = upperCaseListener();
    try {
      Process socat = ns.start("socat", "-t", "5", "-", "TCP:" + INSIDE + ":7070");
      try (OutputStream in = socat.getOutputStream()) {
        in.write("ping\n".getBytes(StandardCharsets.UTF_8));
      }
      String out = new String(socat.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(socat.waitFor(10, TimeUnit.SECONDS)).isTrue();
      assertThat(out).isEqualTo("PING\n");
    } finally {
      listener.close().sync();
    }
  }

  @Test
  void outboundSocketCreatedInTheNamespaceReachesAnAddressInside() throws Exception {
    Channel listener = upperCaseListener();
    try {
      CompletableFuture<String> reply = new CompletableFuture<>();
      Channel client =
          new Bootstrap()
              .group(group)
              .channelFactory(NetnsChannelFactory.socket(ns.path(), ch -> {}))
              .handler(
                  new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                      reply.complete(((ByteBuf) msg).toString(StandardCharsets.UTF_8));
                      ((ByteBuf) msg).release();
                    }
                  })
              .connect(new InetSocketAddress(INSIDE, 7070))
              .sync()
              .channel();
      client.writeAndFlush(Unpooled.copiedBuffer("hello", StandardCharsets.UTF_8));
      assertThat(reply.get(5, TimeUnit.SECONDS)).isEqualTo("HELLO");
      client.close().sync();
    } finally {
      listener.close().sync();
    }
  }

  @Test
  void threadReturnsToItsOwnNamespaceAfterwards() throws Exception {
    Path self = Path.of("/proc/thread-self/ns/net");
    Path before = Files.readSymbolicLink(self);
    Path inside = Netns.run(ns.path(), () -> Files.readSymbolicLink(self));
    assertThat(inside.toString())
        .isEqualTo("net:[" + Files.getAttribute(ns.path(), "unix:ino") + "]");
    assertThat(inside).isNotEqualTo(before);
    assertThat(Files.readSymbolicLink(self)).isEqualTo(before);
    assertThatThrownBy(
            () ->
                Netns.run(
                    ns.path(),
                    () -> {
                      throw new IllegalStateException("boom");
                    }))
        .hasMessage("boom");
    assertThat(Files.readSymbolicLink(self)).isEqualTo(before);
  }

  @Test
  void virtualThreadsAreCarriedOutOnAPlatformThread() throws Exception {
    CompletableFuture<Path> seen = new CompletableFuture<>();
    Thread.ofVirtual()
        .start(
            () -> {
              try {
                seen.complete(
                    Netns.run(
                        ns.path(),
                        () -> Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"))));
              } catch (Exception e) {
                seen.completeExceptionally(e);
              }
            });
    Path outside = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net"));
    assertThat(seen.get(5, TimeUnit.SECONDS)).isNotEqualTo(outside);
  }

  @Test
  void missingNamespaceFailsWithTheReason() {
    assertThatThrownBy(
            () -> Netns.run(Path.of("/var/run/netns/does-not-exist-" + ns.name()), () -> 1))
        .isInstanceOf(NetnsException.class)
        .hasMessageContaining("No such file or directory");
  }

  @Test
  void anOpenNamespaceServesManySwitchesAndThenRefusesAfterClose() throws Exception {
    Path self = Path.of("/proc/thread-self/ns/net");
    Path before = Files.readSymbolicLink(self);
    String inode = "net:[" + Files.getAttribute(ns.path(), "unix:ino") + "]";
    Netns.Handle handle = Netns.open(ns.path());
    try (handle) {
      for (int i = 0; i < 100; i++) {
        assertThat(handle.run(() -> Files.readSymbolicLink(self)).toString()).isEqualTo(inode);
        assertThat(Files.readSymbolicLink(self)).isEqualTo(before);
      }
    }
    assertThatThrownBy(() -> handle.run(() -> 1))
        .isInstanceOf(NetnsException.class)
        .hasMessageContaining("closed");
    assertThat(Files.readSymbolicLink(self)).isEqualTo(before);
  }

  @Test
  void aNestedSwitchReturnsToTheOuterNamespace() throws Exception {
    Path self = Path.of("/proc/thread-self/ns/net");
    Path before = Files.readSymbolicLink(self);
    try (TestNetns other = TestNetns.create();
        Netns.Handle outer = Netns.open(ns.path());
        Netns.Handle inner = Netns.open(other.path())) {
      List<Path> seen =
          outer.run(
              () -> {
                Path in = Files.readSymbolicLink(self);
                Path nested = inner.run(() -> Files.readSymbolicLink(self));
                return List.of(in, nested, Files.readSymbolicLink(self));
              });
      assertThat(seen.get(0).toString())
          .isEqualTo("net:[" + Files.getAttribute(ns.path(), "unix:ino") + "]");
      assertThat(seen.get(1).toString())
          .isEqualTo("net:[" + Files.getAttribute(other.path(), "unix:ino") + "]");
      assertThat(seen.get(2)).isEqualTo(seen.get(0));
    }
    assertThat(Files.readSymbolicLink(self)).isEqualTo(before);
  }

  @Test
  void aClosedChannelFactoryCreatesNoMoreChannels() throws Exception {
    NetnsChannelFactory<?> factory = NetnsChannelFactory.socket(ns.path(), ch -> {});
    factory.newChannel().unsafe().closeForcibly();
    factory.close();
    assertThatThrownBy(factory::newChannel)
        .isInstanceOf(NetnsException.class)
        .hasMessageContaining("closed");
  }
}
