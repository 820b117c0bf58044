package dev.ambit.ztunnel.proxy;

import dev.ambit.proto.workload.TunnelProtocol;
import dev.ambit.proto.workload.Workload;
import dev.ambit.transport.hbone.HboneServer;
import dev.ambit.transport.hbone.Relay;
import dev.ambit.transport.hbone.ServerTlsSelector;
import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.netns.NetnsChannelFactory;
import dev.ambit.transport.socket.OriginalDestination;
import dev.ambit.transport.socket.SocketOptions;
import dev.ambit.ztunnel.pods.PodSpec;
import dev.ambit.ztunnel.state.Addresses;
import dev.ambit.ztunnel.state.WorkloadInfo;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One enrolled pod: its four listeners, opened inside the pod's network namespace, and its open
 * connections. Every socket carries the ztunnel mark so the pod's redirection rules skip it.
 *
 * <p>With no namespace (tests, or a pod sharing ztunnel's namespace) the listeners bind the pod's
 * first address instead of the wildcard, so several pods can coexist on one host.
 */
public final class PodProxy {

  private static final Logger LOG = LoggerFactory.getLogger(PodProxy.class);

  private final ProxyContext ctx;
  private final PodSpec spec;
  private final SpiffeId identity;
  private final NetnsChannelFactory<EpollSocketChannel> sockets;
  private final NetnsChannelFactory<EpollSocketChannel> transparentSockets;
  private final NetnsChannelFactory<EpollServerSocketChannel> listenerSockets;
  private final NetnsChannelFactory<EpollServerSocketChannel> transparentListenerSockets;
  private final Connections connections = new Connections();
  private final List<Channel> listeners = new ArrayList<>();
  private final HboneServer hbone;
  private final OutboundProxy outbound;
  private final InboundProxy inbound;

  PodProxy(ProxyContext ctx, PodSpec spec) {
    this.ctx = ctx;
    this.spec = spec;
    this.identity =
        new SpiffeId(ctx.config().trustDomain(), spec.namespace(), spec.serviceAccount());
    int mark = SocketOptions.ZTUNNEL_MARK;
    boolean transparent = ctx.config().transparent();
    InetSocketAddress source =
        spec.netns() == null ? new InetSocketAddress(spec.ips().getFirst(), 0) : null;
    this.sockets =
        NetnsChannelFactory.socket(
            spec.netns(),
            ch -> {
              SocketOptions.mark(ch, mark);
              if (source != null) {
                ch.pipeline().addFirst(new BindSource(source));
              }
            });
    this.transparentSockets =
        NetnsChannelFactory.socket(
            spec.netns(),
            ch -> {
              SocketOptions.mark(ch, mark);
              if (transparent) {
                SocketOptions.transparent(ch);
              }
            });
    this.listenerSockets =
        NetnsChannelFactory.serverSocket(spec.netns(), ch -> SocketOptions.mark(ch, mark));
    this.transparentListenerSockets =
        NetnsChannelFactory.serverSocket(
            spec.netns(),
            ch -> {
              SocketOptions.mark(ch, mark);
              if (transparent) {
                SocketOptions.transparent(ch);
              }
            });
    this.outbound = new OutboundProxy(ctx, this);
    this.inbound = new InboundProxy(ctx, this);
    this.hbone = new HboneServer(serverTls(), inbound::hbone);
  }

  /**
   * Makes an outbound connection originate from the pod's address when the pod shares ztunnel's
   * namespace (inside the pod's own namespace its address is the only one, so no bind is needed).
   */
  private static final class BindSource extends ChannelOutboundHandlerAdapter {
    private final InetSocketAddress source;

    BindSource(InetSocketAddress source) {
      this.source = source;
    }

    @Override
    public void connect(
        ChannelHandlerContext c,
        SocketAddress remote,
        SocketAddress local,
        ChannelPromise promise) {
      c.pipeline().remove(this);
      c.connect(remote, local != null ? local : source, promise);
    }
  }

  public PodSpec spec() {
    return spec;
  }

  public SpiffeId identity() {
    return identity;
  }

  NetnsChannelFactory<EpollSocketChannel> sockets() {
    return sockets;
  }

  NetnsChannelFactory<EpollSocketChannel> transparentSockets() {
    return transparentSockets;
  }

  Connections connections() {
    return connections;
  }

  /** Open connections of this pod (both sides of each relay count). */
  public int connectionCount() {
    return connections.size();
  }

  /** A workload view of this pod for when its state has not arrived: policy still applies. */
  WorkloadInfo placeholder() {
    Workload.Builder w =
        Workload.newBuilder()
            .setUid(spec.uid())
            .setName(spec.name())
            .setNamespace(spec.namespace())
            .setServiceAccount(spec.serviceAccount())
            .setTrustDomain(ctx.config().trustDomain())
            .setTunnelProtocol(TunnelProtocol.HBONE);
    for (InetAddress ip : spec.ips()) {
      w.addAddresses(Addresses.bytes(ip));
    }
    return WorkloadInfo.of(w.build());
  }

  private volatile CompletableFuture<Void> opened;

  /** The outcome of {@link #open}. */
  CompletableFuture<Void> opened() {
    return opened;
  }

  /** Opens the four listeners; completes when all are bound. */
  CompletableFuture<Void> open() {
    opened = bindAll();
    return opened;
  }

  private CompletableFuture<Void> bindAll() {
    AcceptQueueMigration.enable(spec.netns(), spec.uid());
    ZtunnelListenerAddresses a = new ZtunnelListenerAddresses(spec, ctx.config());
    List<CompletableFuture<Channel>> binds = new ArrayList<>();
    binds.add(
        bind(
            listenerSockets,
            a.outbound(),
            new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel ch) {
                captured(ch);
              }
            }));
    binds.add(
        bind(
            transparentListenerSockets,
            a.inboundPlaintext(),
            new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel ch) {
                holdInbound(ch);
                inbound.plaintext(ch);
              }
            }));
    binds.add(bind(transparentListenerSockets, a.hbone(), hbone.childHandler()));
    binds.add(
        bind(
            listenerSockets,
            a.socks(),
            new ChannelInitializer<>() {
              @Override
              protected void initChannel(Channel ch) {
                Socks5Handler.install(
                    ch.pipeline(),
                    new Socks5Handler(outbound::proxy, ctx.state(), spec.namespace()));
              }
            }));
    return CompletableFuture.allOf(binds.toArray(CompletableFuture[]::new))
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                close();
              } else {
                LOG.info(
                    "pod {} enrolled: listeners {}",
                    spec.uid(),
                    listeners.stream().map(Channel::localAddress).toList());
              }
            });
  }

  /**
   * Keeps what an accepted connection sends (bytes, EOF, a reset) until it is spliced: a short
   * connection may end before its tunnel is up.
   */
  private static void holdInbound(Channel ch) {
    ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    ch.pipeline().addLast(Relay.holdInbound());
  }

  private void captured(Channel ch) {
    holdInbound(ch);
    InetSocketAddress target = OriginalDestination.of(ch).orElse(null);
    if (target == null || target.equals(ch.localAddress())) {
      LOG.debug("connection on the outbound port of {} has no original destination", spec.uid());
      Connections.abort(ch);
      return;
    }
    connections.add(ch);
    outbound.proxy(ch, target, ok -> {});
  }

  private ServerTlsSelector serverTls() {
    return accepted ->
        ctx.certificates()
            .get(identity, ctx.config().certificateWait())
            .thenApply(ctx.tls()::server);
  }

  private CompletableFuture<Channel> bind(
      NetnsChannelFactory<EpollServerSocketChannel> factory,
      InetSocketAddress address,
      io.netty.channel.ChannelHandler child) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    ChannelFuture f =
        new ServerBootstrap()
            .group(ctx.group())
            .channelFactory(factory)
            .option(EpollChannelOption.SO_REUSEPORT, true)
            .childOption(ChannelOption.TCP_NODELAY, true)
            .childHandler(child)
            .bind(address);
    f.addListener(
        done -> {
          if (done.isSuccess()) {
            synchronized (listeners) {
              listeners.add(f.channel());
            }
            result.complete(f.channel());
          } else {
            result.completeExceptionally(
                new IllegalStateException(
                    "cannot listen on "
                        + address
                        + " for "
                        + spec.uid()
                        + ": "
                        + done.cause().getMessage(),
                    done.cause()));
          }
        });
    return result;
  }

  /** The bound listener addresses (for tests and logs). */
  public List<InetSocketAddress> listenerAddresses() {
    synchronized (listeners) {
      return listeners.stream().map(c -> (InetSocketAddress) c.localAddress()).toList();
    }
  }

  /**
   * Stops accepting new connections; open ones continue. Peers' HBONE connections to this pod get
   * GOAWAY, so their pools open new streams elsewhere (a ztunnel started alongside) instead of on a
   * connection that closes at the drain deadline.
   */
  void stopAccepting() {
    synchronized (listeners) {
      for (Channel l : listeners) {
        l.close();
      }
    }
    hbone.goAway();
  }

  /**
   * Closes the listeners, resets every open connection and closes the pod's namespace (sockets are
   * no longer created in it).
   */
  void close() {
    stopAccepting();
    connections.abortAll();
    sockets.close();
    transparentSockets.close();
    listenerSockets.close();
    transparentListenerSockets.close();
  }
}
