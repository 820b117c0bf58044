package dev.ambit.transport.hbone;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.tls.MeshTls;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.ChannelGroupFuture;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves HBONE: TLS ({@link ServerTlsSelector}, normally {@link MeshTls#server}) with ALPN h2,
 * HTTP/2, and one {@link HboneStreamHandler} call per CONNECT stream. Requests that are not a plain
 * CONNECT (no {@code :path}, {@code :scheme} or {@code :protocol}) with exactly one {@code
 * :authority} of the form {@code ip:port} get 400 without reaching the handler.
 *
 * <p>Use {@link #bind} for a listener, or {@link #childHandler()} in your own {@link
 * ServerBootstrap} (e.g. with a listener created inside a network namespace).
 */
public final class HboneServer {

  private static final Logger log = LoggerFactory.getLogger(HboneServer.class);

  /** Default SETTINGS_MAX_CONCURRENT_STREAMS advertised to clients. */
  public static final int DEFAULT_MAX_CONCURRENT_STREAMS = 100;

  /**
   * SETTINGS_MAX_HEADER_LIST_SIZE: a CONNECT needs little; bigger lists are refused (far bigger
   * ones close the connection).
   */
  static final int MAX_HEADER_LIST_BYTES = 8192;

  /** Rapid reset: more RST_STREAM frames than this per window closes with ENHANCE_YOUR_CALM. */
  static final int MAX_RST_FRAMES = 200;

  static final int RST_WINDOW_SECONDS = 30;

  /** Control-frame answers queued for a peer that does not read (SETTINGS/PING floods). */
  static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;

  private final ServerTlsSelector tls;
  private final HboneStreamHandler handler;
  private final int maxConcurrentStreams;
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  /** A server advertising {@link #DEFAULT_MAX_CONCURRENT_STREAMS}. */
  public HboneServer(ServerTlsSelector tls, HboneStreamHandler handler) {
    this(tls, handler, DEFAULT_MAX_CONCURRENT_STREAMS);
  }

  public HboneServer(ServerTlsSelector tls, HboneStreamHandler handler, int maxConcurrentStreams) {
    this.tls = tls;
    this.handler = handler;
    this.maxConcurrentStreams = maxConcurrentStreams;
  }

  /**
   * Binds a listener: {@code factory} makes the server channel (e.g. {@code
   * NetnsChannelFactory.serverSocket(...)}), accepted connections run on {@code workers}.
   */
  public ChannelFuture bind(
      EventLoopGroup acceptors,
      EventLoopGroup workers,
      ChannelFactory<? extends ServerChannel> factory,
      SocketAddress address) {
    return new ServerBootstrap()
        .group(acceptors, workers)
        .channelFactory(factory)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(childHandler())
        .bind(address);
  }

  /** The handler for accepted connections (TLS, HTTP/2, CONNECT dispatch). */
  public ChannelInitializer<Channel> childHandler() {
    return new ChannelInitializer<>() {
      @Override
      protected void initChannel(Channel ch) {
        ch.config().setAutoRead(false);
        connections.add(ch);
        tls.select(ch)
            .whenComplete(
                (context, error) -> ch.eventLoop().execute(() -> startTls(ch, context, error)));
      }
    };
  }

  /** TLS connections currently open (including those still handshaking). */
  public int openConnections() {
    return connections.size();
  }

  /**
   * Starts draining: sends GOAWAY (NO_ERROR) on every open HTTP/2 connection, so clients open no
   * new streams on them (their pools drop them) while open streams go on; a connection closes once
   * its last stream ends. Connections still handshaking are closed. Stop accepting first by closing
   * the listener.
   */
  public void goAway() {
    for (Channel ch : connections) {
      if (ch.pipeline().get(Http2FrameCodec.class) != null) {
        ch.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
      } else {
        ch.close();
      }
    }
  }

  /** Closes every open connection now (resetting their streams); e.g. at the drain deadline. */
  public ChannelGroupFuture closeConnections() {
    return connections.close();
  }

  private void startTls(Channel ch, SslContext context, Throwable error) {
    if (context == null || error != null) {
      log.debug(
          "no TLS context for connection {} -> {}", ch.remoteAddress(), ch.localAddress(), error);
      ch.close();
      return;
    }
    if (!ch.isActive()) {
      return;
    }
    BulkTransfer.largeReads(ch);
    ch.pipeline().addLast("tls", BulkTransfer.wrapFrames(context.newHandler(ch.alloc())));
    ch.pipeline().addLast("hbone-handshake", new Handshake());
    ch.config().setAutoRead(true);
  }

  private final class Handshake extends ApplicationProtocolNegotiationHandler {
    Handshake() {
      super("none");
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        log.debug(
            "client {} did not negotiate h2 (ALPN {})", ctx.channel().remoteAddress(), protocol);
        ctx.close();
        return;
      }
      ctx.pipeline()
          .addLast(
              HboneCodecs.serverSide()
                  .initialSettings(
                      BulkTransfer.apply(
                          Windows.apply(
                              Http2Settings.defaultSettings()
                                  .maxConcurrentStreams(maxConcurrentStreams)
                                  .maxHeaderListSize(MAX_HEADER_LIST_BYTES))))
                  .decoderEnforceMaxRstFramesPerWindow(MAX_RST_FRAMES, RST_WINDOW_SECONDS)
                  .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                  .build(),
              new Http2MultiplexHandler(
                  new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel stream) {
                      stream.pipeline().addLast("hbone-connect", new ConnectRequest());
                    }
                  }),
              new ConnectionErrors());
      Windows.openConnectionWindow(ctx.channel());
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      log.debug(
          "TLS handshake from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** Last handler of a connection: errors (e.g. a peer reset) close it quietly. */
  private static final class ConnectionErrors extends ChannelInboundHandlerAdapter {
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug(
          "HBONE connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }

  /** Reads the CONNECT headers of one stream and hands the stream to the handler. */
  private final class ConnectRequest extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      Channel stream = ctx.channel();
      if (!(msg instanceof Http2HeadersFrame frame)) {
        ReferenceCountUtil.release(msg);
        Relay.abort(stream);
        return;
      }
      Http2Headers headers = frame.headers();
      Optional<InetSocketAddress> target = Authority.parse(str(headers.authority()));
      if (!"CONNECT".contentEquals(str(headers.method()))
          || target.isEmpty()
          || frame.isEndStream()
          || headers.path() != null
          || headers.scheme() != null
          || headers.contains(":protocol")
          || headers.getAll(Http2Headers.PseudoHeaderName.AUTHORITY.value()).size() != 1) {
        log.debug(
            "bad HBONE request: method {} authority {}", headers.method(), headers.authority());
        ctx.pipeline().remove(this);
        HboneStream.respond(stream, 400);
        return;
      }
      Optional<SpiffeId> peer = MeshTls.peerIdentity(stream);
      if (peer.isEmpty()) {
        ctx.pipeline().remove(this);
        HboneStream.respond(stream, 401);
        return;
      }
      Map<String, String> regular = new HashMap<>();
      for (Map.Entry<CharSequence, CharSequence> h : headers) {
        String name = h.getKey().toString();
        if (!name.startsWith(":")) {
          regular.put(name.toLowerCase(java.util.Locale.ROOT), h.getValue().toString());
        }
      }
      Channel connection = stream.parent();
      HboneRequest request =
          new HboneRequest(
              target.get(),
              peer.get(),
              connection.remoteAddress(),
              connection.localAddress(),
              regular);
      stream.config().setAutoRead(false);
      ctx.pipeline().replace(this, "hbone-bytes", new StreamBytes());
      HboneStream hbone = new HboneStream(request, stream);
      try {
        handler.handle(hbone);
      } catch (RuntimeException e) {
        log.warn("HBONE handler failed for {} from {}", request.target(), request.peer(), e);
        try {
          hbone.reject(503);
        } catch (IllegalStateException alreadyAnswered) {
          Relay.abort(stream);
        }
      }
    }

    private static String str(CharSequence s) {
      return s == null ? "" : s.toString();
    }
  }
}
