package dev.ambit.transport.hbone;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;
import dev.ambit.transport.tls.TlsContexts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HBONE client with connection pooling. Connections are keyed by {source identity, expected
 * destination identities, proxy address, socket factory}: pass the same {@link ChannelFactory}
 * instance for the same source network namespace to share connections. Each event loop has its own
 * connections: a stream is opened on a connection of the event loop it is asked for (by default the
 * calling thread's), so that a relay between the stream and a socket of that loop runs on one
 * thread, without a hand-off per chunk, and parallel tunnels spread over the loops. One TLS
 * connection carries up to {@code min(maxStreamsPerConnection, server's
 * SETTINGS_MAX_CONCURRENT_STREAMS)} CONNECT streams; beyond that another connection opens.
 * Connections without streams close after the idle timeout; closed or GOAWAY'd connections leave
 * the pool at once, and a CONNECT that a GOAWAY overtook (failed without a response on a connection
 * that received GOAWAY: the server never handled it) is sent once more on another connection. A new
 * connection that is not ready (TCP connected, TLS handshake done, the server's HTTP/2 SETTINGS
 * received) within the connect timeout, or that closes before, fails the streams waiting for it and
 * leaves the pool, so that the next connect to the same address opens a fresh one. A rotated source
 * certificate (a different {@link WorkloadCertificate}) gets new connections; old ones expire when
 * idle. A connection silent for the connect timeout is probed with a PING and closed when the PING
 * goes unanswered as long (see {@link Keepalive}). Thread-safe; {@link #connect} never blocks.
 */
public final class HbonePool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HbonePool.class);

  private record Key(
      SpiffeId source,
      Set<SpiffeId> destinations,
      InetSocketAddress proxy,
      ChannelFactory<?> factory) {}

  private record Pending(
      HboneTarget target,
      WorkloadCertificate source,
      ChannelFactory<? extends Channel> factory,
      EventLoop loop,
      CompletableFuture<Channel> result,
      boolean retried) {
    Key key() {
      return new Key(source.id(), target.expectedIdentities(), target.proxyAddress(), factory);
    }
  }

  private final EventLoopGroup group;
  private final HbonePoolConfig config;
  private final TlsContexts contexts = new TlsContexts();
  private final Map<Key, List<Connection>> connections = new HashMap<>(); // guarded by this
  private boolean closed; // guarded by this

  public HbonePool(EventLoopGroup group, HbonePoolConfig config) {
    this.group = group;
    this.config = config;
  }

  /**
   * Opens a CONNECT stream to {@code target}, presenting {@code source}, over a socket made by
   * {@code socketFactory} (e.g. {@code NetnsChannelFactory.socket(podNetns, ...)}). Completes with
   * the stream channel once the server answered 200: a byte channel with autoRead off (splice it
   * with {@link Relay#splice}, or add handlers and turn autoRead on; {@link Relay#shutdownOutput}
   * sends END_STREAM, closing it before both sides ended resets the stream). Fails with {@link
   * HboneException}: the server's status, or status 0 for connect/TLS/HTTP/2 failures such as a
   * server not proving an expected identity. Called on one of the pool's event loops, the stream
   * runs on that loop.
   */
  public CompletableFuture<Channel> connect(
      HboneTarget target,
      WorkloadCertificate source,
      ChannelFactory<? extends Channel> socketFactory) {
    return connect(target, source, socketFactory, currentLoop());
  }

  /**
   * As {@link #connect(HboneTarget, WorkloadCertificate, ChannelFactory)}, on a connection whose
   * event loop is {@code loop} (opening one there if none has room), so that the stream and a
   * channel of that loop it is spliced with are served by one thread: no hand-off per chunk. {@code
   * null}: any connection with room.
   */
  public CompletableFuture<Channel> connect(
      HboneTarget target,
      WorkloadCertificate source,
      ChannelFactory<? extends Channel> socketFactory,
      EventLoop loop) {
    CompletableFuture<Channel> result = new CompletableFuture<>();
    if (target.expectedIdentities().isEmpty()) {
      result.completeExceptionally(
          new HboneException(0, "no expected identity for " + target.proxyAddress()));
      return result;
    }
    acquire(new Pending(target, source, socketFactory, loop, result, false));
    return result;
  }

  /** The event loop of the group running the calling thread, or null. */
  private EventLoop currentLoop() {
    for (io.netty.util.concurrent.EventExecutor e : group) {
      if (e.inEventLoop() && e instanceof EventLoop loop) {
        return loop;
      }
    }
    return null;
  }

  /** The pool's tuning. */
  public HbonePoolConfig config() {
    return config;
  }

  /** Open or opening TLS connections (for tests and metrics). */
  public synchronized int connectionCount() {
    int n = 0;
    for (List<Connection> list : connections.values()) {
      n += list.size();
    }
    return n;
  }

  /** Closes every connection; later connects fail. */
  @Override
  public void close() {
    List<Connection> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      connections.values().forEach(all::addAll);
      connections.clear();
    }
    for (Connection c : all) {
      c.fail(new HboneException(0, "HBONE pool closed"));
    }
  }

  private void acquire(Pending pending) {
    Connection chosen = null;
    boolean fresh = false;
    boolean ready;
    synchronized (this) {
      if (closed) {
        pending.result().completeExceptionally(new HboneException(0, "HBONE pool closed"));
        return;
      }
      List<Connection> list = connections.computeIfAbsent(pending.key(), k -> new ArrayList<>());
      for (Connection c : list) {
        if (c.cert.equals(pending.source())
            && c.hasRoom()
            && (pending.loop() == null || c.loop == pending.loop())) {
          chosen = c;
          break;
        }
      }
      if (chosen == null) {
        EventLoop loop = pending.loop() != null ? pending.loop() : group.next();
        chosen = new Connection(pending.key(), pending.source(), loop);
        list.add(chosen);
        fresh = true;
      }
      chosen.reserved++;
      ready = chosen.ready;
      if (!ready) {
        chosen.waiting.add(pending);
      }
    }
    if (fresh) {
      chosen.start(pending);
    }
    if (ready) {
      chosen.open(pending);
    }
  }

  private synchronized void remove(Connection c) {
    List<Connection> list = connections.get(c.key);
    if (list != null && list.remove(c) && list.isEmpty()) {
      connections.remove(c.key);
    }
  }

  private final class Connection {
    final Key key;
    final WorkloadCertificate cert;
    final EventLoop loop;
    final List<Pending> waiting = new ArrayList<>(); // guarded by HbonePool.this
    int reserved; // guarded by HbonePool.this
    boolean ready; // guarded by HbonePool.this
    boolean gone; // guarded by HbonePool.this
    volatile boolean goAwayReceived;
    long peerMaxStreams = Long.MAX_VALUE; // guarded by HbonePool.this
    long idleGeneration; // guarded by HbonePool.this
    volatile Channel channel;

    Connection(Key key, WorkloadCertificate cert, EventLoop loop) {
      this.key = key;
      this.cert = cert;
      this.loop = loop;
    }

    boolean hasRoom() {
      return !gone && reserved < Math.min(config.maxStreamsPerConnection(), peerMaxStreams);
    }

    void start(Pending first) {
      SslContext context;
      try {
        context = contexts.client(cert, first.target().expectedIdentities());
      } catch (RuntimeException e) {
        fail(new HboneException(0, "cannot build TLS context for " + cert.id(), e));
        return;
      }
      Bootstrap bootstrap =
          new Bootstrap()
              .group(loop)
              .channelFactory(first.factory())
              .option(ChannelOption.TCP_NODELAY, true)
              .option(
                  ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connectTimeout().toMillis())
              .handler(
                  new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      // Whenever it closes, even during the TLS handshake, the connection fails.
                      ch.closeFuture()
                          .addListener(
                              f ->
                                  fail(
                                      new HboneException(
                                          0, "HBONE connection to " + key.proxy() + " closed")));
                      BulkTransfer.largeReads(ch);
                      ch.pipeline()
                          .addLast("tls", BulkTransfer.wrapFrames(context.newHandler(ch.alloc())));
                      ch.pipeline()
                          .addLast(
                              "hbone-client",
                              new Negotiation(Connection.this, config.connectTimeout()));
                    }
                  });
      // Channel creation may switch network namespaces: do it on an event loop (a platform thread).
      loop.schedule(this::readyDeadline, config.connectTimeout().toNanos(), TimeUnit.NANOSECONDS);
      loop.execute(
          () -> {
            try {
              bootstrap
                  .connect(first.target().proxyAddress())
                  .addListener(
                      f -> {
                        if (!f.isSuccess()) {
                          fail(
                              new HboneException(
                                  0,
                                  "cannot connect to " + first.target().proxyAddress(),
                                  f.cause()));
                        }
                      });
            } catch (RuntimeException e) {
              fail(
                  new HboneException(
                      0, "cannot create a socket for " + first.target().proxyAddress(), e));
            }
          });
    }

    void established(Channel ch) {
      channel = ch;
      boolean abandoned;
      synchronized (HbonePool.this) {
        abandoned = gone;
      }
      if (abandoned) {
        ch.close();
      }
    }

    /** A connection not ready by now (TCP, TLS, SETTINGS) will not be: fail who waits for it. */
    private void readyDeadline() {
      boolean late;
      synchronized (HbonePool.this) {
        late = !ready;
      }
      if (late) {
        fail(
            new HboneException(
                0,
                key.proxy()
                    + ": no TLS and HTTP/2 connection within "
                    + config.connectTimeout().toMillis()
                    + " ms"));
      }
    }

    void settings(Http2SettingsFrame frame) {
      List<Pending> now = new ArrayList<>();
      List<Pending> later = new ArrayList<>();
      synchronized (HbonePool.this) {
        Long max = frame.settings().maxConcurrentStreams();
        if (max != null) {
          peerMaxStreams = max;
        }
        if (ready || gone) {
          return;
        }
        ready = true;
        long limit = Math.min(config.maxStreamsPerConnection(), peerMaxStreams);
        for (Pending p : waiting) {
          (now.size() < limit ? now : later).add(p);
        }
        waiting.clear();
        reserved -= later.size();
      }
      now.forEach(this::open);
      later.forEach(HbonePool.this::acquire);
    }

    /**
     * A CONNECT went unanswered: the peer or the path to it is not healthy. New streams go to a new
     * connection; streams still open here go on until they end.
     */
    void retire() {
      log.warn("HBONE connection to {} did not answer a CONNECT; opening new ones", key.proxy());
      goAway();
    }

    void goAway() {
      boolean idle;
      synchronized (HbonePool.this) {
        gone = true;
        idle = reserved == 0;
      }
      remove(this);
      if (idle) {
        channel.close();
      }
    }

    void fail(HboneException error) {
      List<Pending> failed;
      synchronized (HbonePool.this) {
        if (!gone || !waiting.isEmpty()) {
          log.debug("HBONE connection to {} failed: {}", key.proxy(), error.getMessage());
        }
        gone = true;
        failed = new ArrayList<>(waiting);
        waiting.clear();
      }
      remove(this);
      for (Pending p : failed) {
        p.result().completeExceptionally(error);
      }
      Channel ch = channel;
      if (ch != null) {
        ch.close();
      }
    }

    void open(Pending p) {
      if (p.result().isDone()) {
        release(); // the caller gave up meanwhile
        return;
      }
      HboneTarget target = p.target();
      Http2Headers headers =
          new DefaultHttp2Headers().method("CONNECT").authority(target.authority());
      target.headers().forEach((name, value) -> headers.set(name.toLowerCase(Locale.ROOT), value));
      CompletableFuture<Channel> attempt = new CompletableFuture<>();
      attempt.whenComplete(
          (stream, error) -> {
            if (error == null) {
              if (!p.result().complete(stream)) {
                Relay.abort(stream);
              }
              return;
            }
            // Decide after the frame being processed: streams a GOAWAY refuses close before the
            // GOAWAY frame itself reaches this pool.
            try {
              channel
                  .eventLoop()
                  .execute(
                      () -> {
                        if (overtakenByGoAway(p, error)) {
                          log.debug(
                              "CONNECT {} overtaken by GOAWAY; resending", target.authority());
                          acquire(
                              new Pending(
                                  target, p.source(), p.factory(), p.loop(), p.result(), true));
                        } else {
                          p.result().completeExceptionally(error);
                        }
                      });
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
              p.result().completeExceptionally(error);
            }
          });
      new Http2StreamChannelBootstrap(channel)
          .handler(
              new ConnectResponse(
                  headers, target.authority(), attempt, config.connectTimeout(), this::retire))
          .open()
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  ((Http2StreamChannel) f.getNow()).closeFuture().addListener(x -> release());
                } else {
                  attempt.completeExceptionally(
                      new HboneException(0, "cannot open a stream to " + key.proxy(), f.cause()));
                  release();
                }
              });
    }

    /** A first attempt that got no response because this connection is going away. */
    private boolean overtakenByGoAway(Pending p, Throwable error) {
      return goAwayReceived
          && !p.retried()
          && !p.result().isDone()
          && error instanceof HboneException e
          && e.status() == 0;
    }

    void release() {
      long generation;
      boolean closeNow;
      synchronized (HbonePool.this) {
        reserved--;
        if (reserved > 0) {
          return;
        }
        generation = ++idleGeneration;
        closeNow = gone;
      }
      Channel ch = channel;
      if (closeNow) {
        ch.close();
        return;
      }
      ch.eventLoop()
          .schedule(() -> expire(generation), config.idleTimeout().toNanos(), TimeUnit.NANOSECONDS);
    }

    private void expire(long generation) {
      synchronized (HbonePool.this) {
        if (reserved > 0 || idleGeneration != generation || gone) {
          return;
        }
        gone = true;
      }
      log.debug("closing idle HBONE connection to {}", key.proxy());
      remove(this);
      channel.close();
    }
  }

  /** TLS handshake, ALPN check and HTTP/2 setup of a pooled connection. */
  private static final class Negotiation extends ApplicationProtocolNegotiationHandler {
    private final Connection connection;
    private final java.time.Duration keepalive;

    Negotiation(Connection connection, java.time.Duration keepalive) {
      super("none");
      this.connection = connection;
      this.keepalive = keepalive;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
      if (!ApplicationProtocolNames.HTTP_2.equals(protocol)) {
        connection.fail(
            new HboneException(
                0, connection.key.proxy() + " did not negotiate h2 (ALPN " + protocol + ")"));
        return;
      }
      connection.established(ctx.channel());
      ctx.pipeline()
          .addAfter("tls", "hbone-keepalive", new Keepalive(connection.key.proxy(), keepalive));
      ctx.pipeline()
          .addLast(
              "h2",
              HboneCodecs.clientSide()
                  .initialSettings(
                      BulkTransfer.apply(
                          Windows.apply(Http2Settings.defaultSettings().pushEnabled(false))))
                  .build());
      ctx.pipeline().addLast("h2-multiplex", new Http2MultiplexHandler(new RefuseServerStreams()));
      ctx.pipeline().addLast("hbone-connection", new ConnectionFrames(connection));
      Windows.openConnectionWindow(ctx.channel());
    }

    /**
     * A handshake that ends because the peer closed the connection or did not answer in time is
     * reported by this event only ({@link #handshakeFailure} sees decoding errors).
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof SslHandshakeCompletionEvent done && !done.isSuccess()) {
        connection.fail(
            new HboneException(
                0,
                "TLS to " + connection.key.proxy() + " failed: " + done.cause().getMessage(),
                done.cause()));
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
      connection.fail(
          new HboneException(
              0, "TLS to " + connection.key.proxy() + " failed: " + cause.getMessage(), cause));
      ctx.close();
    }
  }

  /** Servers do not open streams towards an HBONE client. */
  private static final class RefuseServerStreams extends ChannelInboundHandlerAdapter {
    @Override
    public void channelActive(ChannelHandlerContext stream) {
      stream.close();
    }

    @Override
    public boolean isSharable() {
      return true;
    }
  }

  /** Connection-level frames: SETTINGS (stream limit, readiness) and GOAWAY. */
  private static final class ConnectionFrames extends ChannelInboundHandlerAdapter {
    private final Connection connection;

    ConnectionFrames(Connection connection) {
      this.connection = connection;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2SettingsFrame settings) {
          connection.settings(settings);
        } else if (msg instanceof Http2GoAwayFrame) {
          connection.goAwayReceived = true;
          connection.goAway();
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      log.debug("HBONE connection to {} failed", connection.key.proxy(), cause);
      ctx.close();
    }
  }
}
