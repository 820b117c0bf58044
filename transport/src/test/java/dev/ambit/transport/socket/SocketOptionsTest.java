package dev.ambit.transport.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ambit.transport.netns.NetnsChannelFactory;
import dev.ambit.transport.testing.TestNetns;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SO_ORIGINAL_DST, SO_MARK and IP_TRANSPARENT against real netfilter rules in a test namespace. */
class SocketOptionsTest {

  private static final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  private static final String SERVICE = "10.77.0.9";

  private TestNetns ns;

  @AfterAll
  static void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  @BeforeEach
  void setUp() throws Exception {
    ns = TestNetns.create();
    ns.addresses("10.77.0.1/24", SERVICE + "/24");
    // Like in-pod capture: outbound TCP to anything but marked sockets goes to the capture port.
    ns.exec(
        "iptables",
        "-t",
        "nat",
        "-A",
        "OUTPUT",
        "-p",
        "tcp",
        "-m",
        "mark",
        "--mark",
        "0x539",
        "-j",
        "RETURN");
    ns.exec(
        "iptables",
        "-t",
        "nat",
        "-A",
        "OUTPUT",
        "-p",
        "tcp",
        "-d",
        SERVICE,
        "--dport",
        "9080",
        "-j",
        "REDIRECT",
        "--to-ports",
        "15001");
  }

  @AfterEach
  void tearDown() throws Exception {
    if (ns != null) {
      ns.close();
    }
  }

  /** A listener in the namespace completing {@code accepted} with each accepted channel. */
  private Channel listen(InetSocketAddress address, CompletableFuture<Channel> accepted)
      throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channelFactory(NetnsChannelFactory.serverSocket(ns.path(), ch -> {}))
        .childHandler(
            new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel ch) {
                accepted.complete(ch);
              }
            })
        .bind(address)
        .sync()
        .channel();
  }

  private Channel connect(
      InetSocketAddress to, java.util.function.Consumer<EpollSocketChannel> configure)
      throws InterruptedException {
    return new Bootstrap()
        .group(group)
        .channelFactory(NetnsChannelFactory.socket(ns.path(), configure))
        .handler(new ChannelInboundHandlerAdapter())
        .connect(to)
        .sync()
        .channel();
  }

  @Test
  void originalDestinationOfARedirectedConnection() throws Exception {
    CompletableFuture<Channel> captured = new CompletableFuture<>();
    Channel capture = listen(new InetSocketAddress(15001), captured);
    try {
      // The client stays connected (its stdin open) until the lookup is done.
      Process client = ns.start("socat", "-", "TCP:" + SERVICE + ":9080");
      try {
        Channel accepted = captured.get(10, TimeUnit.SECONDS);
        assertThat(OriginalDestination.of(accepted)).contains(new InetSocketAddress(SERVICE, 9080));
        assertThat(((InetSocketAddress) accepted.localAddress()).getPort()).isEqualTo(15001);
      } finally {
        client.getOutputStream().close();
        client.waitFor(10, TimeUnit.SECONDS);
        client.destroy();
      }
    } finally {
      capture.close().sync();
    }
  }

  @Test
  void markedSocketsSkipTheRedirect() throws Exception {
    CompletableFuture<Channel> captured = new CompletableFuture<>();
    CompletableFuture<Channel> direct = new CompletableFuture<>();
    Channel capture = listen(new InetSocketAddress(15001), captured);
    Channel service = listen(new InetSocketAddress(SERVICE, 9080), direct);
    try {
      Channel marked =
          connect(
              new InetSocketAddress(SERVICE, 9080),
              ch -> SocketOptions.mark(ch, SocketOptions.ZTUNNEL_MARK));
      assertThat(SocketOptions.mark(marked)).isEqualTo(0x539);
      Channel reached = direct.get(10, TimeUnit.SECONDS);
      assertThat(reached.remoteAddress()).isEqualTo(marked.localAddress());
      assertThat(captured).isNotDone();
      marked.close().sync();

      Channel unmarked = connect(new InetSocketAddress(SERVICE, 9080), ch -> {});
      Channel redirected = captured.get(10, TimeUnit.SECONDS);
      assertThat(OriginalDestination.of(redirected)).contains(new InetSocketAddress(SERVICE, 9080));
      unmarked.close().sync();
    } finally {
      capture.close().sync();
      service.close().sync();
    }
  }

  @Test
  void unredirectedConnectionReportsItsOwnDestination() throws Exception {
    CompletableFuture<Channel> direct = new CompletableFuture<>();
    Channel service = listen(new InetSocketAddress("10.77.0.1", 7000), direct);
    try {
      Channel client = connect(new InetSocketAddress("10.77.0.1", 7000), ch -> {});
      assertThat(OriginalDestination.of(direct.get(10, TimeUnit.SECONDS)))
          .contains(new InetSocketAddress("10.77.0.1", 7000));
      client.close().sync();
    } finally {
      service.close().sync();
    }
  }

  @Test
  void transparentSocketsMayBindAForeignAddress() throws Exception {
    InetSocketAddress foreign = new InetSocketAddress("10.99.0.5", 0);
    Channel plain = NetnsChannelFactory.socket(ns.path(), ch -> {}).newChannel();
    group.register(plain).sync();
    assertThatThrownBy(() -> plain.bind(foreign).sync())
        .hasMessageContaining("Cannot assign requested address");
    plain.close().sync();

    Channel transparent =
        NetnsChannelFactory.socket(ns.path(), SocketOptions::transparent).newChannel();
    group.register(transparent).sync();
    transparent.bind(foreign).sync();
    assertThat(((InetSocketAddress) transparent.localAddress()).getAddress())
        .isEqualTo(foreign.getAddress());
    transparent.close().sync();
  }
}
