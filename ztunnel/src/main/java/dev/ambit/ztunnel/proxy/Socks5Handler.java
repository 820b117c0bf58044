package dev.ambit.ztunnel.proxy;

import dev.ambit.transport.hbone.Relay;
import dev.ambit.ztunnel.state.Addresses;
import dev.ambit.ztunnel.state.ServiceInfo;
import dev.ambit.ztunnel.state.StateSnapshot;
import dev.ambit.ztunnel.state.StateStore;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5Message;
import io.netty.handler.codec.socksx.v5.Socks5ServerEncoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SOCKS5 (no authentication, CONNECT only) for applications that opt in without traffic capture.
 * The destination is an IP address or the host name of a mesh service ({@code name}, {@code
 * name.namespace}, {@code name.namespace.svc} or the full host name; short names are looked up in
 * the pod's namespace). Success is answered only once the upstream side is established.
 */
final class Socks5Handler extends SimpleChannelInboundHandler<Socks5Message> {

  /** A client that has not finished its greeting and request by then is disconnected. */
  static final int HANDSHAKE_TIMEOUT_SECONDS = 10;

  private static final Logger LOG = LoggerFactory.getLogger(Socks5Handler.class);

  /** Where an accepted request goes: {@link OutboundProxy#proxy} in a pod. */
  @FunctionalInterface
  interface Upstream {
    void proxy(Channel downstream, InetSocketAddress target, Consumer<Boolean> connected);
  }

  private final Upstream outbound;
  private final StateStore state;
  private final String namespace;

  Socks5Handler(Upstream outbound, StateStore state, String namespace) {
    this.outbound = outbound;
    this.state = state;
    this.namespace = namespace;
  }

  static void install(ChannelPipeline p, Socks5Handler handler) {
    p.addLast("socks-timeout", new ReadTimeoutHandler(HANDSHAKE_TIMEOUT_SECONDS));
    p.addLast("socks-encoder", Socks5ServerEncoder.DEFAULT);
    p.addLast("socks-initial", new Socks5InitialRequestDecoder());
    p.addLast("socks", handler);
  }

  @Override
  protected void channelRead0(ChannelHandlerContext c, Socks5Message msg) {
    if (msg.decoderResult().isFailure()) {
      refuseMalformed(c, msg);
      return;
    }
    if (msg instanceof Socks5InitialRequest init) {
      if (!init.authMethods().contains(Socks5AuthMethod.NO_AUTH)) {
        c.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
            .addListener(f -> c.close());
        return;
      }
      c.pipeline().replace("socks-initial", "socks-command", new Socks5CommandRequestDecoder());
      c.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.NO_AUTH));
    } else if (msg instanceof Socks5CommandRequest cmd) {
      if (cmd.type() != Socks5CommandType.CONNECT) {
        reply(c, Socks5CommandStatus.COMMAND_UNSUPPORTED, true);
        return;
      }
      InetSocketAddress target = resolve(cmd);
      if (target == null) {
        reply(c, Socks5CommandStatus.HOST_UNREACHABLE, true);
        return;
      }
      c.channel().config().setAutoRead(false);
      c.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
      c.pipeline().remove("socks-timeout");
      // Bytes sent right behind the request (and an early EOF) wait for the tunnel, not dropped.
      c.pipeline().addAfter("socks-command", "socks-hold", Relay.holdInbound());
      c.pipeline().remove("socks-command");
      c.pipeline().remove(this);
      outbound.proxy(
          c.channel(),
          target,
          ok -> {
            if (ok) {
              c.channel()
                  .writeAndFlush(
                      new DefaultSocks5CommandResponse(
                          Socks5CommandStatus.SUCCESS, Socks5AddressType.IPv4, "0.0.0.0", 0))
                  .addListener(f -> c.pipeline().remove(Socks5ServerEncoder.class));
            } else {
              c.channel()
                  .writeAndFlush(
                      new DefaultSocks5CommandResponse(
                          Socks5CommandStatus.FAILURE, Socks5AddressType.IPv4));
            }
          });
    } else {
      c.close();
    }
  }

  /**
   * The decoders stand a default message in for one they could not read (for a request: CONNECT to
   * 0.0.0.0:1); it is never acted upon. A greeting that is not SOCKS5 is closed without an answer;
   * one without methods is told that no method is acceptable; an unreadable request gets "address
   * type not supported" or "general failure". Nothing after it is read.
   */
  private static void refuseMalformed(ChannelHandlerContext c, Socks5Message msg) {
    String cause = String.valueOf(msg.decoderResult().cause().getMessage());
    LOG.debug("malformed SOCKS5 message from {}: {}", c.channel().remoteAddress(), cause);
    c.channel().config().setAutoRead(false);
    if (msg instanceof Socks5InitialRequest) {
      if (cause.contains("version")) {
        c.close();
      } else {
        c.writeAndFlush(new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED))
            .addListener(f -> c.close());
      }
    } else {
      reply(
          c,
          cause.contains("address type")
              ? Socks5CommandStatus.ADDRESS_UNSUPPORTED
              : Socks5CommandStatus.FAILURE,
          true);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
    LOG.debug(
        "SOCKS5 connection from {} failed: {}", c.channel().remoteAddress(), cause.toString());
    c.close();
  }

  private static void reply(ChannelHandlerContext c, Socks5CommandStatus status, boolean close) {
    var f = c.writeAndFlush(new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4));
    if (close) {
      f.addListener(x -> c.close());
    }
  }

  private InetSocketAddress resolve(Socks5CommandRequest cmd) {
    if (cmd.dstAddrType() != Socks5AddressType.DOMAIN
        || NetUtil.isValidIpV4Address(cmd.dstAddr())
        || NetUtil.isValidIpV6Address(cmd.dstAddr())) {
      try {
        return new InetSocketAddress(Addresses.parseLiteral(cmd.dstAddr()), cmd.dstPort());
      } catch (IllegalArgumentException e) {
        // e.g. an IPv6 literal with a zone id ("::1%eth0"), written as a domain name
        return null;
      }
    }
    ServiceInfo service = lookup(state.snapshot(), cmd.dstAddr().toLowerCase(Locale.ROOT));
    if (service == null || service.vips().isEmpty()) {
      return null;
    }
    InetAddress vip = service.vips().getFirst();
    return new InetSocketAddress(vip, cmd.dstPort());
  }

  private ServiceInfo lookup(StateSnapshot s, String host) {
    String name = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
    String[] parts = name.split("\\.");
    String hostname;
    String ns;
    if (parts.length == 1) {
      ns = namespace;
      hostname = parts[0] + "." + ns + ".svc.cluster.local";
    } else if (parts.length == 2 || parts.length == 3 && parts[2].equals("svc")) {
      ns = parts[1];
      hostname = parts[0] + "." + ns + ".svc.cluster.local";
    } else {
      ns = parts[1];
      hostname = name;
    }
    return s.service(ns + "/" + hostname);
  }
}
