package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.metrics.ResponseFlag;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
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
    attempt(req, body, loop, result, true);
    return result;
  }

  /**
   * Sends the request on a stream of the current connection. A stream the server did not process
   * (refused, or above the last stream id of its GOAWAY) is sent once more on a new connection:
   * nothing of it reached the application.
   */
  private void attempt(
      HttpRequest req,
      RequestBody body,
      EventLoop loop,
      CompletableFuture<ProxyResponse> result,
      boolean mayResend) {
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
              CompletableFuture<ProxyResponse> stream = new CompletableFuture<>();
              Futures.cancelWith(result, stream);
              stream.whenComplete(
                  (res, e) -> {
                    if (e == null) {
                      if (!result.complete(res)) {
                        res.discard();
                      }
                    } else if (mayResend
                        && Futures.unwrap(e) instanceof UnprocessedStreamException
                        && !result.isDone()) {
                      attempt(req, body, loop, result, false);
                    } else {
                      result.completeExceptionally(e);
                    }
                  });
              openStream(conn, req, body, stream);
            });
  }

  private synchronized CompletableFuture<Channel> connection(EventLoop loop) {
    if (closed) {
      return CompletableFuture.failedFuture(new IllegalStateException("client closed"));
    }
    if (connection != null
        && !(connection.isDone()
            && (connection.isCompletedExceptionally()
                || !Http2ConnectionState.usable(connection.join())))) {
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
                                .addLast(FlushMerging.handler())
                                .addLast(
                                    Http2FrameCodecBuilder.forClient()
                                        .encoderEnforceMaxConcurrentStreams(true)
                                        .build())
                                .addLast(
                                    new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()))
                                .addLast(new Http2ConnectionState());
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
                    Http2ConnectionState.unprocessed(conn, -1)
                        ? new UnprocessedStreamException(f.cause())
                        : new UpstreamException(
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
              CompletableFuture<ProxyResponse> head = new CompletableFuture<>();
              tail.expect(
                  stream.pipeline().context(tail),
                  head,
                  whole -> {
                    if (!whole) {
                      stream.close();
                    }
                  });
              head.whenComplete(
                  (r, e) -> {
                    if (e == null) {
                      if (!result.complete(r)) {
                        r.discard();
                      }
                      return;
                    }
                    stream.close();
                    int id = stream.stream().id();
                    result.completeExceptionally(
                        tail.refused() || Http2ConnectionState.unprocessed(conn, id)
                            ? new UnprocessedStreamException(e)
                            : e);
                  });
              result.whenComplete(
                  (r, e) -> {
                    if (e != null) {
                      stream.close();
                    }
                  });
              boolean bodyless = body.empty();
              stream
                  .writeAndFlush(bodyless ? withoutBody(req) : req)
                  .addListener(
                      w -> {
                        if (!w.isSuccess()) {
                          head.completeExceptionally(
                              new UpstreamException(
                                  ResponseFlag.UPSTREAM_RESET, "write failed", w.cause()));
                        }
                      });
              if (bodyless) {
                return;
              }
              body.sendTo(stream)
                  .whenComplete(
                      (v, e) -> {
                        // A server may answer before the whole request arrived, then reset the
                        // stream (RFC 9113 section 8.1): a failed write leaves what the stream
                        // already received to be read. Only a body that cannot be sent whole on
                        // the downstream side resets the stream.
                        if (e != null
                            && !(Futures.unwrap(e) instanceof RequestBody.SinkFailedException)) {
                          stream.close();
                        }
                      });
            });
  }

  /** The request head as one message that ends the stream (HEADERS with END_STREAM). */
  private static FullHttpRequest withoutBody(HttpRequest req) {
    return new DefaultFullHttpRequest(
        req.protocolVersion(),
        req.method(),
        req.uri(),
        Unpooled.EMPTY_BUFFER,
        req.headers(),
        EmptyHttpHeaders.INSTANCE);
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

  /** A stream the server did not process: safe to send again. */
  private static final class UnprocessedStreamException extends UpstreamException {
    UnprocessedStreamException(Throwable cause) {
      super(ResponseFlag.UPSTREAM_RESET, "stream not processed by the server: " + cause, cause);
    }
  }
}
