package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.ConfigStore;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each whole downstream request through the filter chain and writes the response. On HTTP/1.1
 * one request is processed at a time (reading pauses until its response is written), so responses
 * keep the order of pipelined requests; on HTTP/2 there is one handler per stream.
 */
final class ExchangeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(ExchangeHandler.class);

  private final ConfigStore config;
  private final HttpHandler chain;
  private final Downstream downstream;
  private final Protocol protocol;

  ExchangeHandler(ConfigStore config, HttpHandler chain, Downstream downstream, Protocol protocol) {
    super(false);
    this.config = config;
    this.chain = chain;
    this.downstream = downstream;
    this.protocol = protocol;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      req.release();
      ctx.writeAndFlush(LocalReplies.of(400, "bad request"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    boolean http1 = protocol == Protocol.HTTP1;
    if (http1) {
      ctx.channel().config().setAutoRead(false);
    }
    boolean keepAlive = !http1 || HttpUtil.isKeepAlive(req);
    Exchange ex =
        new Exchange(
            req,
            downstream,
            protocol,
            config.snapshot(),
            ctx.channel().eventLoop(),
            System.nanoTime());
    chain
        .handle(ex)
        .whenComplete(
            (res, err) -> {
              req.release();
              FullHttpResponse out = res;
              if (err != null) {
                LOG.warn("request {} {} failed inside the waypoint", req.method(), req.uri(), err);
                out = LocalReplies.of(500, "internal error");
              }
              FullHttpResponse toWrite = out;
              ctx.executor().execute(() -> write(ctx, toWrite, http1, keepAlive));
            });
  }

  private static void write(
      ChannelHandlerContext ctx, FullHttpResponse res, boolean http1, boolean keepAlive) {
    HopByHop.strip(res.headers());
    HopByHop.stripHttp2Extensions(res.headers());
    if (!res.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
    }
    if (!http1) {
      ctx.writeAndFlush(res);
      return;
    }
    res.setProtocolVersion(HttpVersion.HTTP_1_1);
    HttpUtil.setKeepAlive(res, keepAlive);
    if (!keepAlive) {
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.writeAndFlush(res);
    ctx.channel().config().setAutoRead(true);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("downstream {} failed: {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
