package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.config.ConfigStore;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each downstream request through the filter chain as soon as its head arrived, its body
 * streaming behind it ({@link RequestBody}), and writes the response ({@link ResponseWriter}). The
 * channel's autoRead is off while a request is in progress: the body is read as fast as the
 * upstream takes it. On HTTP/1.1 one request is processed at a time (later pipelined requests wait
 * until the response is written), so responses keep the order of the requests; on HTTP/2 there is
 * one handler per stream.
 */
final class ExchangeHandler extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(ExchangeHandler.class);

  private final ConfigStore config;
  private final HttpHandler chain;
  private final Downstream downstream;
  private final Protocol protocol;
  private final int maxReplayBytes;
  private final ArrayDeque<Object> backlog = new ArrayDeque<>();
  private RequestBody body;
  private boolean busy;
  private boolean inputClosed;

  ExchangeHandler(
      ConfigStore config,
      HttpHandler chain,
      Downstream downstream,
      Protocol protocol,
      int maxReplayBytes) {
    this.config = config;
    this.chain = chain;
    this.downstream = downstream;
    this.protocol = protocol;
    this.maxReplayBytes = maxReplayBytes;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (waits(msg)) {
      backlog.add(msg); // a pipelined request behind the one in progress
      return;
    }
    dispatch(ctx, msg);
  }

  /** Whether {@code msg} belongs to a request behind the one in progress. */
  private boolean waits(Object msg) {
    return busy && (msg instanceof HttpRequest || body.ended());
  }

  private void dispatch(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest req) {
      start(ctx, req);
    } else if (msg instanceof HttpContent c && body != null) {
      body.onContent(c);
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void start(ChannelHandlerContext ctx, HttpRequest req) {
    if (!req.decoderResult().isSuccess()) {
      ReferenceCountUtil.release(req);
      ctx.writeAndFlush(LocalReplies.of(400, "bad request"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    ctx.channel().config().setAutoRead(false);
    busy = true;
    boolean keepAlive = protocol != Protocol.HTTP1 || HttpUtil.isKeepAlive(req);
    HttpRequest head = req;
    RequestBody b = new RequestBody(ctx.channel(), maxReplayBytes);
    body = b;
    if (req instanceof FullHttpRequest full) {
      // HTTP/2 HEADERS with END_STREAM arrive as one message: split off the (empty) body.
      head =
          new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
      b.onContent(new DefaultLastHttpContent(full.content().retain(), full.trailingHeaders()));
      full.release();
    } else {
      b.start();
    }
    Exchange ex =
        new Exchange(
            head,
            b,
            downstream,
            protocol,
            config.snapshot(),
            ctx.channel().eventLoop(),
            System.nanoTime());
    if (protocol == Protocol.HTTP2) {
      run(ctx, ex, keepAlive); // a gRPC stream may need its response before its body ends
    } else {
      b.ready().thenRun(() -> Loops.run(ctx.executor(), () -> run(ctx, ex, keepAlive)));
    }
  }

  private void run(ChannelHandlerContext ctx, Exchange ex, boolean keepAlive) {
    RequestBody b = ex.body;
    if (b.malformed() && ctx.channel().isActive()) {
      LOG.debug("refusing request with a malformed body from {}", ctx.channel().remoteAddress());
      ctx.writeAndFlush(LocalReplies.of(400, "bad request"))
          .addListener(ChannelFutureListener.CLOSE);
      return;
    }
    chain
        .handle(ex)
        .whenComplete(
            (res, err) -> {
              ProxyResponse out = res;
              if (err != null) {
                LOG.warn(
                    "request {} {} failed inside the waypoint",
                    ex.request.method(),
                    ex.request.uri(),
                    err);
                out = LocalReplies.reply(500, "internal error");
              }
              ProxyResponse toWrite = out;
              Loops.run(ctx.executor(), () -> respond(ctx, b, toWrite, keepAlive));
            });
  }

  private void respond(
      ChannelHandlerContext ctx, RequestBody b, ProxyResponse res, boolean keepAlive) {
    boolean http1 = protocol == Protocol.HTTP1;
    ResponseWriter.write(ctx.channel(), res, http1, keepAlive)
        .whenComplete(
            (end, err) -> {
              res.end().complete(end != null ? end : BodyEnd.abandoned(0));
              ctx.executor()
                  .execute(() -> finished(ctx, b, end != null && end.complete(), keepAlive));
            });
  }

  /** The response went out (whole or not): the connection goes on to the next request or closes. */
  private void finished(
      ChannelHandlerContext ctx, RequestBody b, boolean whole, boolean keepAlive) {
    boolean requestWhole = b.ended();
    b.release();
    body = null;
    busy = false;
    if (protocol != Protocol.HTTP1) {
      if (!whole || !requestWhole) {
        ctx.close(); // resets the stream
      }
      return;
    }
    if (!whole || !keepAlive || !requestWhole) {
      // The connection is not in a known state (or the request body was not read to its end).
      ctx.close();
      return;
    }
    // The next request's head and the parts of its body that came with it: a body part left in the
    // backlog would never be read again, and its request would wait for it forever.
    while (!backlog.isEmpty() && !waits(backlog.peek())) {
      dispatch(ctx, backlog.poll());
    }
    if (!busy) {
      if (inputClosed) {
        ctx.close();
      } else {
        ctx.channel().config().setAutoRead(true);
      }
    }
  }

  /**
   * An HTTP/1.1 client that ended its side (END_STREAM of the HBONE stream, or a FIN with
   * half-closure on) gets the answers to the requests it sent, then the connection closes.
   */
  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ChannelInputShutdownEvent.INSTANCE && protocol == Protocol.HTTP1) {
      inputClosed = true;
      if (!busy) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (body != null) {
      body.release(); // an upstream attempt still sending the body gives up
    }
    backlog.forEach(ReferenceCountUtil::release);
    backlog.clear();
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    LOG.debug("downstream {} failed: {}", ctx.channel(), cause.toString());
    ctx.close();
  }
}
