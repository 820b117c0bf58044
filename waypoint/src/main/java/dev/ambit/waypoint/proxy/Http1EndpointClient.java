package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.timeout.IdleStateHandler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** HTTP/1.1 to one endpoint with a pool of idle keep-alive connections. */
final class Http1EndpointClient implements EndpointClient {

  private final Endpoint endpoint;
  private final UpstreamConnector connector;
  private final int maxResponseBytes;
  private final Duration idleTimeout;
  private final ArrayDeque<Channel> idle = new ArrayDeque<>(); // guarded by this
  private boolean closed; // guarded by this

  /**
   * @param idleTimeout a pooled connection unused this long is closed (it holds an HBONE stream)
   */
  Http1EndpointClient(
      Endpoint endpoint, UpstreamConnector connector, int maxResponseBytes, Duration idleTimeout) {
    this.endpoint = endpoint;
    this.connector = connector;
    this.maxResponseBytes = maxResponseBytes;
    this.idleTimeout = idleTimeout;
  }

  @Override
  public CompletableFuture<FullHttpResponse> send(FullHttpRequest req, EventLoop loop) {
    CompletableFuture<FullHttpResponse> result = new CompletableFuture<>();
    Channel ch = pollIdle();
    if (ch != null) {
      write(ch, req, result);
      return result;
    }
    connector
        .connect(endpoint, loop)
        .whenComplete(
            (c, err) -> {
              if (err != null) {
                req.release();
                result.completeExceptionally(
                    new UpstreamException(
                        ResponseFlag.UPSTREAM_CONNECT_FAILURE,
                        "connect to " + endpoint.authority() + " failed: " + err.getMessage(),
                        err));
                return;
              }
              c.eventLoop()
                  .execute(
                      () -> {
                        c.pipeline()
                            .addLast(
                                new IdleStateHandler(
                                    0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS))
                            .addLast(new HttpClientCodec())
                            .addLast(new HttpObjectAggregator(maxResponseBytes))
                            .addLast(new HttpClientStream());
                        c.config().setAutoRead(true);
                        write(c, req, result);
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

  private void write(Channel ch, FullHttpRequest req, CompletableFuture<FullHttpResponse> result) {
    boolean keepAlive = HttpUtil.isKeepAlive(req);
    ch.eventLoop()
        .execute(
            () -> {
              if (result.isDone()) {
                // abandoned (timed out) before it could be sent
                req.release();
                return;
              }
              HttpClientStream stream = ch.pipeline().get(HttpClientStream.class);
              if (stream == null || !ch.isActive()) {
                req.release();
                result.completeExceptionally(
                    new UpstreamException(ResponseFlag.UPSTREAM_RESET, "connection closed", null));
                return;
              }
              stream.expect(result);
              ch.writeAndFlush(req)
                  .addListener(
                      f -> {
                        if (!f.isSuccess()) {
                          result.completeExceptionally(
                              new UpstreamException(
                                  ResponseFlag.UPSTREAM_RESET, "write failed", f.cause()));
                        }
                      });
            });
    result.whenComplete(
        (res, err) -> {
          if (err == null && keepAlive && HttpUtil.isKeepAlive(res) && ch.isActive()) {
            release(ch);
          } else {
            ch.close();
          }
        });
  }

  private void release(Channel ch) {
    synchronized (this) {
      if (!closed) {
        idle.addLast(ch);
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
