package dev.ambit.transport.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.NotYetConnectedException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The hold handler on outbound sockets, which sit registered for a while before they connect. */
class InboundHoldTest {

  private static final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

  @AfterAll
  static void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /**
   * Under load the event loop can read an outbound socket between its registration and its connect
   * task and get NotYetConnectedException (seen in flight recordings of a ztunnel at a high
   * connection rate); the socket must still connect. It used to be aborted, so the connect failed
   * with a closed channel and the HBONE CONNECT was answered 503.
   */
  @Test
  void aSocketRegisteredBeforeItConnectsStillConnects() throws Exception {
    try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Bootstrap bootstrap =
          new Bootstrap()
              .group(group)
              .channel(EpollSocketChannel.class)
              .option(ChannelOption.AUTO_READ, false)
              .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
              .handler(Relay.holdInbound());
      Channel channel = bootstrap.register().sync().channel();
      try {
        channel
            .eventLoop()
            .submit(() -> channel.pipeline().fireExceptionCaught(new NotYetConnectedException()))
            .sync();

        channel
            .connect(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()))
            .await(5, TimeUnit.SECONDS);

        assertThat(channel.isActive()).as("connected, not aborted").isTrue();
        try (Socket accepted = listener.accept()) {
          assertThat(accepted.getInetAddress()).isEqualTo(InetAddress.getLoopbackAddress());
        }
      } finally {
        channel.close().sync();
      }
    }
  }
}
