package dev.ambit.node.redirect;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.node.net.Commands;
import dev.ambit.node.net.NetnsOps;
import dev.ambit.node.testing.InNetns;
import dev.ambit.node.testing.Root;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.channel.unix.RawUnixChannelOption;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Installs the redirection rules in a pod namespace the test creates, next to a "peer" namespace on
 * a veth, and checks where real connections land.
 */
class RedirectionRulesTest {
  private static final String POD_IP = "10.77.0.1";
  private static final String PEER_IP = "10.77.0.2";
  private static final int SO_ORIGINAL_DST = 80;

  private String pod;
  private String peer;
  private EventLoopGroup group;

  @BeforeEach
  void setUp() {
    Root.require();
    pod = Root.uniqueName("at");
    peer = pod + "p";
    NetnsOps.add(pod);
    NetnsOps.add(peer);
    Commands.run(
        "ip", "-n", pod, "link", "add", "eth0", "type", "veth", "peer", "name", "eth0", "netns",
        peer);
    Commands.run("ip", "-n", pod, "addr", "add", POD_IP + "/24", "dev", "eth0");
    Commands.run("ip", "-n", peer, "addr", "add", PEER_IP + "/24", "dev", "eth0");
    Commands.run("ip", "-n", pod, "link", "set", "eth0", "up");
    Commands.run("ip", "-n", peer, "link", "set", "eth0", "up");
    Commands.run("ip", "-n", pod, "route", "add", "default", "via", PEER_IP);
    group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
  }

  @AfterEach
  void tearDown() {
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
    NetnsOps.destroy(pod, Duration.ofSeconds(1));
    NetnsOps.destroy(peer, Duration.ofSeconds(1));
  }

  @Test
  void applyIsIdempotentAndRemoveRestoresTheNamespace() {
    String rulesBefore = rules(pod);
    String ipRulesBefore = Commands.run("ip", "-n", pod, "rule", "show");
    RedirectionRules rules = new RedirectionRules(NetnsOps.path(pod));

    rules.apply();
    rules.apply();

    String saved = Commands.run(Commands.inNetns(pod, "iptables-save"));
    assertThat(saved)
        .containsOnlyOnce("-A OUTPUT -j AMBIT_OUTPUT")
        .containsOnlyOnce("-A PREROUTING -j AMBIT_PRERT")
        .containsOnlyOnce("-A OUTPUT -j AMBIT_MANGLE_OUT")
        .contains("-A AMBIT_OUTPUT -m mark --mark 0x539/0xfff -j RETURN")
        .contains("-A AMBIT_OUTPUT -o lo -j RETURN")
        .contains("-A AMBIT_OUTPUT -p tcp -j REDIRECT --to-ports 15001")
        .containsPattern("-A AMBIT_PRERT -p tcp -m tcp --dport 15008 .*-j TPROXY --on-port 15008")
        .containsPattern("-A AMBIT_PRERT .*-j TPROXY --on-port 15006 .*--tproxy-mark 0x111/0xfff");
    assertThat(Commands.run("ip", "-n", pod, "rule", "show"))
        .containsOnlyOnce("fwmark 0x111/0xfff lookup 100");
    assertThat(Commands.run("ip", "-n", pod, "route", "show", "table", "100"))
        .contains("local default dev lo");
    assertThat(rules.applied()).isTrue();

    rules.remove();
    rules.remove();

    assertThat(rules.applied()).isFalse();
    assertThat(rules(pod)).isEqualTo(rulesBefore);
    assertThat(Commands.run("ip", "-n", pod, "rule", "show")).isEqualTo(ipRulesBefore);
    assertThat(Commands.run("ip", "-n", pod, "route", "show", "table", "all"))
        .doesNotContain("table 100");
  }

  @Test
  void outboundTcpLandsOn15001WithItsOriginalDestinationAndMarkedSocketsPass() throws Exception {
    new RedirectionRules(NetnsOps.path(pod)).apply();
    BlockingQueue<String> atOutbound = new LinkedBlockingQueue<>();
    BlockingQueue<String> atPeer = new LinkedBlockingQueue<>();
    listen(pod, new InetSocketAddress(15001), false, originalDestinationOf(atOutbound));
    listen(peer, new InetSocketAddress(PEER_IP, 80), false, localAddressOf(atPeer));

    connect(pod, new InetSocketAddress(PEER_IP, 80), 0);
    assertThat(atOutbound.poll(10, TimeUnit.SECONDS)).isEqualTo(PEER_IP + ":80");

    connect(pod, new InetSocketAddress(PEER_IP, 80), 0x539);
    assertThat(atPeer.poll(10, TimeUnit.SECONDS)).isEqualTo(PEER_IP + ":80");
    assertThat(atOutbound).isEmpty();
  }

  @Test
  void inboundTcpIsDeliveredByTproxyTo15006AndHboneTo15008() throws Exception {
    new RedirectionRules(NetnsOps.path(pod)).apply();
    BlockingQueue<String> atInbound = new LinkedBlockingQueue<>();
    BlockingQueue<String> atHbone = new LinkedBlockingQueue<>();
    listen(pod, new InetSocketAddress(15006), true, localAddressOf(atInbound));
    listen(pod, new InetSocketAddress(15008), true, localAddressOf(atHbone));

    connect(peer, new InetSocketAddress(POD_IP, 8080), 0);
    connect(peer, new InetSocketAddress(POD_IP, 15008), 0);

    assertThat(atInbound.poll(10, TimeUnit.SECONDS)).isEqualTo(POD_IP + ":8080");
    assertThat(atHbone.poll(10, TimeUnit.SECONDS)).isEqualTo(POD_IP + ":15008");
  }

  @Test
  void removedRulesNoLongerRedirect() throws Exception {
    RedirectionRules rules = new RedirectionRules(NetnsOps.path(pod));
    rules.apply();
    rules.remove();
    BlockingQueue<String> atOutbound = new LinkedBlockingQueue<>();
    BlockingQueue<String> atPeer = new LinkedBlockingQueue<>();
    listen(pod, new InetSocketAddress(15001), false, originalDestinationOf(atOutbound));
    listen(peer, new InetSocketAddress(PEER_IP, 80), false, localAddressOf(atPeer));

    connect(pod, new InetSocketAddress(PEER_IP, 80), 0);

    assertThat(atPeer.poll(10, TimeUnit.SECONDS)).isEqualTo(PEER_IP + ":80");
    assertThat(atOutbound).isEmpty();
  }

  private static String rules(String ns) {
    return Commands.run(Commands.inNetns(ns, "iptables-save"))
        .lines()
        .filter(l -> l.startsWith("-A") || l.startsWith(":AMBIT"))
        .reduce("", (a, b) -> a + b + "\n");
  }

  private interface OnAccept {
    void accepted(EpollSocketChannel ch) throws Exception;
  }

  private static OnAccept localAddressOf(BlockingQueue<String> q) {
    return ch -> q.add(hostPort(ch.localAddress()));
  }

  private static OnAccept originalDestinationOf(BlockingQueue<String> q) {
    return ch -> {
      ByteBuffer got =
          ch.config()
              .getOption(new RawUnixChannelOption("SO_ORIGINAL_DST", 0, SO_ORIGINAL_DST, 16));
      int port = ((got.get(2) & 0xff) << 8) | (got.get(3) & 0xff);
      byte[] addr = new byte[4];
      got.get(4, addr);
      q.add(InetAddress.getByAddress(addr).getHostAddress() + ":" + port);
    };
  }

  private static String hostPort(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  private void listen(String ns, InetSocketAddress bind, boolean transparent, OnAccept onAccept) {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channelFactory(() -> InNetns.call(InNetns.named(ns), EpollServerSocketChannel::new))
            .childHandler(
                new ChannelInitializer<EpollSocketChannel>() {
                  @Override
                  protected void initChannel(EpollSocketChannel ch) throws Exception {
                    onAccept.accepted(ch);
                    ch.close();
                  }
                });
    if (transparent) {
      b.option(EpollChannelOption.IP_TRANSPARENT, true);
    }
    b.bind(bind).syncUninterruptibly();
  }

  private void connect(String ns, InetSocketAddress to, int mark) {
    Path path = InNetns.named(ns);
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channelFactory(() -> InNetns.call(path, EpollSocketChannel::new))
            .handler(
                new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ((ByteBuf) msg).release();
                  }
                });
    if (mark != 0) {
      b.option(new IntegerUnixChannelOption("SO_MARK", 1, 36), mark);
    }
    Channel ch = b.connect(to).syncUninterruptibly().channel();
    ch.closeFuture().awaitUninterruptibly(10, TimeUnit.SECONDS);
  }
}
