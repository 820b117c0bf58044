package dev.ambit.waypoint.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2ConnectionHandler;
import io.netty.handler.codec.http2.Http2ConnectionHandlerBuilder;
import io.netty.handler.codec.http2.Http2FrameAdapter;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * An HTTP/2 prior-knowledge client that numbers its streams itself, the way curl, nghttp2 and
 * grpc-go do: the first request is stream 1 (Netty's own client skips 1, which it keeps for h2c
 * upgrades, and starts at 3).
 */
public final class StreamIdH2Client {

  private final Channel channel;
  private final Http2ConnectionHandler handler;
  private final Map<Integer, Exchange> exchanges = new ConcurrentHashMap<>();

  private static final class Exchange {
    final CompletableFuture<TestClient.Response> done = new CompletableFuture<>();
    final Map<String, String> headers = new TreeMap<>();
    final StringBuilder body = new StringBuilder();
    int status;
  }

  private StreamIdH2Client(Channel channel) {
    this.channel = channel;
    this.handler =
        new Http2ConnectionHandlerBuilder().server(false).frameListener(new Listener()).build();
  }

  /** Speaks HTTP/2 over an already connected byte channel (e.g. an HBONE stream). */
  public static StreamIdH2Client over(Channel ch) {
    StreamIdH2Client c = new StreamIdH2Client(ch);
    ch.eventLoop()
        .submit(
            () -> {
              ch.pipeline().addLast(c.handler);
              ch.config().setAutoRead(true);
            })
        .syncUninterruptibly();
    return c;
  }

  /** GET {@code path} on the given (odd, increasing) stream id. */
  public TestClient.Response get(int streamId, String authority, String path) throws Exception {
    Exchange e = new Exchange();
    exchanges.put(streamId, e);
    Http2Headers h =
        new DefaultHttp2Headers()
            .method("GET")
            .scheme("http")
            .authority(authority)
            .path(path)
            .add("user-agent", "stream-id-client");
    channel
        .eventLoop()
        .execute(
            () -> {
              ChannelHandlerContext ctx = channel.pipeline().context(handler);
              handler
                  .encoder()
                  .writeHeaders(ctx, streamId, h, 0, true, ctx.newPromise())
                  .addListener(
                      f -> {
                        if (!f.isSuccess()) {
                          e.done.completeExceptionally(f.cause());
                        }
                      });
              ctx.flush();
            });
    return e.done.get(10, TimeUnit.SECONDS);
  }

  private final class Listener extends Http2FrameAdapter {
    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx,
        int streamId,
        Http2Headers headers,
        int padding,
        boolean endOfStream) {
      Exchange e = exchanges.get(streamId);
      if (e == null) {
        return;
      }
      headers.forEach(
          kv -> {
            String k = kv.getKey().toString();
            if (k.equals(":status")) {
              e.status = Integer.parseInt(kv.getValue().toString());
            } else {
              e.headers.put(k, kv.getValue().toString());
            }
          });
      if (endOfStream) {
        finish(e);
      }
    }

    @Override
    public void onHeadersRead(
        ChannelHandlerContext ctx,
        int streamId,
        Http2Headers headers,
        int streamDependency,
        short weight,
        boolean exclusive,
        int padding,
        boolean endOfStream) {
      onHeadersRead(ctx, streamId, headers, padding, endOfStream);
    }

    @Override
    public int onDataRead(
        ChannelHandlerContext ctx, int streamId, ByteBuf data, int padding, boolean endOfStream) {
      int n = data.readableBytes() + padding;
      Exchange e = exchanges.get(streamId);
      if (e != null) {
        e.body.append(data.toString(StandardCharsets.UTF_8));
        if (endOfStream) {
          finish(e);
        }
      }
      return n;
    }

    @Override
    public void onRstStreamRead(ChannelHandlerContext ctx, int streamId, long errorCode) {
      Exchange e = exchanges.get(streamId);
      if (e != null) {
        e.done.completeExceptionally(
            new IllegalStateException("stream " + streamId + " reset, error " + errorCode));
      }
    }

    @Override
    public void onGoAwayRead(
        ChannelHandlerContext ctx, int lastStreamId, long errorCode, ByteBuf debugData) {
      exchanges.values().stream()
          .filter(e -> !e.done.isDone())
          .forEach(
              e ->
                  e.done.completeExceptionally(
                      new IllegalStateException(
                          "GOAWAY "
                              + errorCode
                              + ": "
                              + debugData.toString(StandardCharsets.UTF_8))));
    }

    private void finish(Exchange e) {
      e.done.complete(new TestClient.Response(e.status, e.headers, e.body.toString(), Map.of()));
    }
  }

  public void close() {
    channel.close().syncUninterruptibly();
  }
}
