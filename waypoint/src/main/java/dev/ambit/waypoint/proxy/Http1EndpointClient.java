package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 to one endpoint with a pool of idle keep-alive connections. A connection goes back to
 * the pool only when both the request and the response went through whole.
 */
final class Http1EndpointClient implements EndpointClient {

  private final Endpoint endpoint;
  private final UpstreamConnector connector;
  private final Duration idleTimeout;
  private final ArrayDeque<Channel> idle = new ArrayDeque<>(); // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param idleTimeout a pooled connection unused this long is closed (it holds an HBONE stream)
   */
  Http1EndpointClient(Endpoint endpoint, UpstreamConnector connector, Duration idleTimeout) {
    this.endpoint = endpoint;
    this.connector = connector;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public CompletableFuture<ProxyResponse> send(HttpRequest req, RequestBody body, EventLoop loop) {
    CompletableFuture<ProxyResponse> result = new CompletableFuture<>();
    Channel ch = pollIdle();
    if (ch != null) {
      Loops.run(ch.eventLoop(), () -> write(ch, req, body, result));
      return result;
    }
    connector
        .connect(endpoint, loop)
        .whenComplete(
            (c, err) -> {
              if (err != null) {
                result.completeExceptionally(
                    new UpstreamException(
                        ResponseFlag.UPSTREAM_CONNECT_FAILURE,
                        "connect to " + endpoint.authority() + " failed: " + err.getMessage(),
                        err));
                return;
              }
              Loops.run(
                  c.eventLoop(),
                  () -> {
                    c.config().setAutoRead(false);
                    c.pipeline()
                        .addLast(
                            new IdleStateHandler(
                                0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                        .addLast(new HttpClientCodec())
                        .addLast(new HttpClientStream());
                    write(c, req, body, result);
                  });
            });
    return result;
  }

  private synchronized Channel pollIdle() {
    Channel ch;
    while ((ch = idle.pollFirst()) != null) {
      if (ch.isActive()) {
        return ch;
      }
    }
    return null;
  }

  /** On the connection's event loop. */
  private void write(
      Channel ch, HttpRequest req, RequestBody body, CompletableFuture<ProxyResponse> result) {
    if (result.isDone()) {
      return; // abandoned (timed out) before it could be sent
    }
    var ctx = ch.pipeline().context(HttpClientStream.class);
    if (ctx == null || !ch.isActive()) {
      result.completeExceptionally(
          new UpstreamException(ResponseFlag.UPSTREAM_RESET, "connection closed", null));
      return;
    }
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    CompletableFuture<Void> sent = new CompletableFuture<>();
    ((HttpClientStream) ctx.handler())
        .expect(
            ctx,
            result,
            whole -> {
              if (!whole || !keepAlive) {
                ch.close();
                return;
              }
              // Reusable once the request went out whole too (fails if it never will).
              sent.whenComplete(
                  (v, err) ->
                      ch.eventLoop()
                          .execute(
                              () -> {
                                if (err == null) {
                                  release(ch);
                                } else {
                                  ch.close();
                                }
                              }));
            });
    // The head goes out with the body's first piece: sendTo flushes both at once.
    ch.write(req)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                result.completeExceptionally(
                    new UpstreamException(ResponseFlag.UPSTREAM_RESET, "write failed", f.cause()));
              }
            });
    body.sendTo(ch)
        .whenComplete(
            (v, err) -> {
              if (err == null) {
                sent.complete(null);
              } else {
                sent.completeExceptionally(err);
                ch.close(); // the request cannot be completed on this connection
              }
            });
    result.whenComplete(
        (res, err) -> {
          if (err != null) {
            ch.close(); // failed or abandoned before the answer: the connection is not reusable
          }
        });
  }

  private void release(Channel ch) {
    synchronized (this) {
      if (!closed) {
        idle.addLast(ch);
        ch.read(); // notice when the idle connection is closed by the other side
        return;
      }
    }
    ch.close();
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      idle.forEach(Channel::close);
      idle.clear();
    }
  }
}
