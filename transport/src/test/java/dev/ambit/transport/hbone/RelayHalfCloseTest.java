package dev.ambit.transport.hbone;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A TCP-to-TCP relay whose client half-closes before the upstream answers. */
class RelayHalfCloseTest {

  private static final EventLoopGroup group =
      new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());

  @AfterAll
  static void stop() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }

  /**
   * The client sends its request and shuts down its output (like {@code nc -N} or an HTTP/1.0
   * client), then reads a response far larger than the socket buffers, slowly at first. Once the
   * relay's client socket had seen the FIN and had nothing left to write, the epoll transport
   * dropped it from the epoll set while still counting it as registered; the first write the socket
   * could not take at once then failed ({@code epoll_ctl} ENOENT) and the relay reset the client in
   * the middle of the response.
   */
  @Test
  void aClientThatHalfClosedReceivesALargeResponseCompletely() throws Exception {
    byte[] response = new byte[8 << 20];
    new Random(7).nextBytes(response);
    CountDownLatch requestEnded = new CountDownLatch(1);
    try (ServerSocket upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> server =
          CompletableFuture.runAsync(
              () -> {
                try (Socket s = upstream.accept()) {
                  s.getInputStream().readAllBytes(); // the request, up to the relayed FIN
                  requestEnded.countDown();
                  s.getOutputStream().write(response);
                } catch (Exception e) {
                  throw new RuntimeException(e);
                }
              },
              Thread.ofVirtual()::start);
      AtomicReference<Channel> accepted = new AtomicReference<>();
      Channel front = relayTo((InetSocketAddress) upstream.getLocalSocketAddress(), accepted);
      try (Socket client = new Socket()) {
        client.setReceiveBufferSize(64 << 10);
        client.connect(front.localAddress(), 5000);
        client.setSoTimeout(10_000);
        client.getOutputStream().write("GET".getBytes());
        client.shutdownOutput();
        assertThat(requestEnded.await(5, TimeUnit.SECONDS)).isTrue();
        // Nothing read yet: the relay fills the client socket's buffers, then queues.
        await().atMost(10, TimeUnit.SECONDS).until(() -> !accepted.get().isWritable());
        InputStream in = client.getInputStream();
        assertThat(in.readAllBytes()).isEqualTo(response);
      } finally {
        front.close();
      }
      server.get(10, TimeUnit.SECONDS);
    }
  }

  private static Channel relayTo(InetSocketAddress target, AtomicReference<Channel> accepted)
      throws InterruptedException {
    return new ServerBootstrap()
        .group(group)
        .channel(EpollServerSocketChannel.class)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.SO_SNDBUF, 64 << 10)
        .childHandler(
            new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel client) {
                accepted.set(client);
                client.pipeline().addLast(Relay.holdInbound());
                new Bootstrap()
                    .group(client.eventLoop())
                    .channel(EpollSocketChannel.class)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(Relay.holdInbound())
                    .connect(target)
                    .addListener(
                        f -> {
                          if (f.isSuccess()) {
                            Relay.splice(
                                client,
                                ((io.netty.channel.ChannelFuture) f).channel(),
                                new ByteCounters());
                          } else {
                            client.close();
                          }
                        });
              }
            })
        .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
        .sync()
        .channel();
  }
}
