package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import java.util.concurrent.CompletableFuture;

/**
 * HTTP/2 (prior knowledge) to one endpoint: one shared connection, a stream per request. Streams
 * read only as fast as the downstream takes the response, so HTTP/2 flow control holds the backend
 * back.
 */
final class Http2EndpointClient implements EndpointClient {

  private final Endpoint endpoint;
  private final UpstreamConnector connector;
  private CompletableFuture<Channel> connection; // guarded by this
  private boolean closed; // guarded by this

  Http2EndpointClient(Endpoint endpoint, UpstreamConnector connector) {
    this.endpoint = endpoint;
    this.connector = connector;
  }

  @Override
  public CompletableFuture<ProxyResponse> send(HttpRequest req, RequestBody body, EventLoop loop) {
    CompletableFuture<ProxyResponse> result = new CompletableFuture<>();
    connection(loop)
        .whenComplete(
            (conn, err) -> {
              if (err != null) {
                result.completeExceptionally(
                    new UpstreamException(
                        ResponseFlag.UPSTREAM_CONNECT_FAILURE,
                        "connect to " + endpoint.authority() + " failed: " + err.getMessage(),
                        err));
                return;
              }
              openStream(conn, req, body, result);
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
      Channel conn, HttpRequest req, RequestBody body, CompletableFuture<ProxyResponse> result) {
    new Http2StreamChannelBootstrap(conn)
        .option(ChannelOption.AUTO_READ, false)
        .open()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                result.completeExceptionally(
                    new UpstreamException(
                        ResponseFlag.UPSTREAM_RESET, "cannot open stream", f.cause()));
                return;
              }
              Http2StreamChannel stream = (Http2StreamChannel) f.getNow();
              if (result.isDone()) {
                stream.close();
                return;
              }
              HttpClientStream tail = new HttpClientStream();
              stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(false)).addLast(tail);
              tail.expect(
                  stream.pipeline().context(tail),
                  result,
                  whole -> {
                    if (!whole) {
                      stream.close();
                    }
                  });
              result.whenComplete(
                  (r, e) -> {
                    if (e != null) {
                      stream.close();
                    }
                  });
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
              body.sendTo(stream)
                  .whenComplete(
                      (v, e) -> {
                        if (e != null) {
                          stream.close(); // the request cannot be sent whole: reset the stream
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
