package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.util.concurrent.CompletableFuture;

/** HTTP/2 (prior knowledge) to one endpoint: one shared connection, a stream per request. */
final class Http2EndpointClient implements EndpointClient {

  private final Endpoint endpoint;
  private final UpstreamConnector connector;
  private final int maxResponseBytes;
  private CompletableFuture<Channel> connection; // guarded by this
  private boolean closed; // guarded by this

  Http2EndpointClient(Endpoint endpoint, UpstreamConnector connector, int maxResponseBytes) {
    this.endpoint = endpoint;
    this.connector = connector;
    this.maxResponseBytes = maxResponseBytes;
  }

  @Override
  public CompletableFuture<FullHttpResponse> send(FullHttpRequest req, EventLoop loop) {
    CompletableFuture<FullHttpResponse> result = new CompletableFuture<>();
    connection(loop)
        .whenComplete(
            (conn, err) -> {
              if (err != null) {
                req.release();
                result.completeExceptionally(
                    new UpstreamException(
                        ResponseFlag.UPSTREAM_CONNECT_FAILURE,
                        "connect to " + endpoint.authority() + " failed: " + err.getMessage(),
                        err));
                return;
              }
              openStream(conn, req, result);
            });
    return result;
  }

  private synchronized CompletableFuture<Channel> connection(EventLoop loop) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("client closed"));
    }
    if (connection != null
        && !(connection.isDone()
            && (connection.isCompletedExceptionally() || !connection.join().isActive()))) {
      return connection;
    }
    CompletableFuture<Channel> next =
        connector
            .connect(endpoint, loop)
            .thenCompose(
                c -> {
                  CompletableFuture<Channel> ready = new CompletableFuture<>();
                  c.eventLoop()
                      .execute(
                          () -> {
                            c.pipeline()
                                .addLast(Http2FrameCodecBuilder.forClient().build())
                                .addLast(
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                            c.config().setAutoRead(true);
                            ready.complete(c);
                          });
                  return ready;
                });
    connection = next;
    return next;
  }

  private void openStream(
      Channel conn, FullHttpRequest req, CompletableFuture<FullHttpResponse> result) {
    new Http2StreamChannelBootstrap(conn)
        .open()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                req.release();
                result.completeExceptionally(
                    new UpstreamException(
                        ResponseFlag.UPSTREAM_RESET, "cannot open stream", f.cause()));
                return;
              }
              Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
              HttpClientStream tail = new HttpClientStream();
              stream
                  .pipeline()
                  .addLast(new Http2StreamFrameToHttpObjectCodec(false))
                  .addLast(new HttpObjectAggregator(maxResponseBytes))
                  .addLast(tail);
              tail.expect(result);
              result.whenComplete((r, e) -> stream.close());
              stream
                  .writeAndFlush(req)
                  .addListener(
                      w -> {
                        if (!w.isSuccess()) {
                          result.completeExceptionally(
                              new UpstreamException(
                                  ResponseFlag.UPSTREAM_RESET, "write failed", w.cause()));
                        }
                      });
            });
  }

  @Override
  public void close() {
    CompletableFuture<Channel> c;
    synchronized (this) {
      closed = true;
      c = connection;
    }
    if (c != null) {
      c.thenAccept(Channel::close);
    }
  }
}
