package dev.ambit.waypoint.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback HTTP/1.1 server for streaming bodies (never aggregated): {@code POST /upload} answers
 * the body's size and SHA-256 (and counts {@link #firstBytes} down once {@link #signalAfter} bytes
 * arrived); {@code GET /download?size=N} sends {@link Bytes#pattern} of N bytes as fast as the
 * connection takes it; {@code GET /hold} sends a first event, then the second and the end only once
 * {@link #release} completes ({@link #finished} tells whether it did).
 */
public final class StreamingBackend implements AutoCloseable {

  public final CountDownLatch firstBytes = new CountDownLatch(1);
  public volatile long signalAfter = Long.MAX_VALUE;
  public final CompletableFuture<Void> release = new CompletableFuture<>();
  public final AtomicBoolean finished = new AtomicBoolean();
  private final Channel server;

  public StreamingBackend(EventLoopGroup group) throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline().addLast(new HttpServerCodec()).addLast(new Handler());
                  }
                })
            .bind("127.0.0.1", 0)
            .sync()
            .channel();
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) server.localAddress();
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
  }

  private final class Handler extends SimpleChannelInboundHandler<HttpObject> {
    private MessageDigest digest;
    private long received;
    private String path;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
      if (msg instanceof HttpRequest req) {
        QueryStringDecoder q = new QueryStringDecoder(req.uri());
        path = q.path();
        digest = Bytes.sha256();
        received = 0;
        if (path.equals("/download")) {
          download(ctx, Long.parseLong(q.parameters().get("size").getFirst()));
        } else if (path.equals("/hold")) {
          hold(ctx);
        }
      }
      if (msg instanceof HttpContent c && path.equals("/upload")) {
        ByteBuf b = c.content();
        received += b.readableBytes();
        digest.update(b.nioBuffer());
        if (received >= signalAfter) {
          firstBytes.countDown();
        }
        if (c instanceof LastHttpContent) {
          String body =
              "bytes=" + received + " sha256=" + HexFormat.of().formatHex(digest.digest());
          DefaultFullHttpResponse res =
              new DefaultFullHttpResponse(
                  HttpVersion.HTTP_1_1,
                  HttpResponseStatus.OK,
                  Unpooled.copiedBuffer(body, StandardCharsets.US_ASCII));
          HttpUtil.setContentLength(res, res.content().readableBytes());
          ctx.writeAndFlush(res);
        }
      }
    }

    private void download(ChannelHandlerContext ctx, long size) {
      DefaultHttpResponse head =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      HttpUtil.setContentLength(head, size);
      ctx.write(head);
      sendFrom(ctx, 0, size);
    }

    /** Writes the next chunk once the previous one was written: the sender never runs ahead. */
    private void sendFrom(ChannelHandlerContext ctx, long offset, long size) {
      if (offset >= size) {
        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
        return;
      }
      int n = (int) Math.min(64 * 1024, size - offset);
      ByteBuf chunk = Unpooled.wrappedBuffer(Bytes.pattern(offset, n));
      ctx.writeAndFlush(new DefaultHttpContent(chunk))
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  sendFrom(ctx, offset + n, size);
                }
              });
    }

    private void hold(ChannelHandlerContext ctx) {
      DefaultHttpResponse head =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
      head.headers().set("content-type", "text/event-stream");
      HttpUtil.setTransferEncodingChunked(head, true);
      ctx.write(head);
      ctx.writeAndFlush(event("message-1"));
      release.thenRun(
          () ->
              ctx.executor()
                  .execute(
                      () -> {
                        finished.set(true);
                        ctx.write(event("message-2"));
                        ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT);
                      }));
    }

    private static HttpContent event(String data) {
      return new DefaultHttpContent(
          Unpooled.copiedBuffer("data: " + data + "\n\n", StandardCharsets.US_ASCII));
    }
  }
}
