package dev.ambit.node.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http2.Http2StreamChannel;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers every HTTP request (HTTP/1.1 or HTTP/2 stream) with a JSON description of it and of the
 * pod, and gRPC health checks with SERVING. Status and delay are chosen per request by the {@code
 * x-echo-status} / {@code x-echo-delay-ms} headers or the {@code status} / {@code delay_ms} query
 * parameters.
 */
final class EchoHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final Logger log = LoggerFactory.getLogger(EchoHandler.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_DELAY_MS = 600_000;

  private final PodInfo pod;

  EchoHandler(PodInfo pod) {
    this.pod = pod;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) throws Exception {
    boolean http2 = ctx.channel() instanceof Http2StreamChannel;
    FullHttpResponse resp;
    QueryStringDecoder uri = new QueryStringDecoder(req.uri());
    String contentType = req.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
    if (contentType.startsWith("application/grpc")) {
      resp = GrpcHealth.answer(uri.path(), req.content());
    } else {
      resp = echo(ctx, req, uri, http2);
    }
    long delay = delayMs(req, uri);
    boolean keepAlive = http2 || HttpUtil.isKeepAlive(req);
    if (!http2) {
      HttpUtil.setKeepAlive(resp, keepAlive);
    }
    log.info(
        "{} {} {} -> {} from {}",
        req.method(),
        req.uri(),
        http2 ? "HTTP/2" : req.protocolVersion(),
        resp.status().code(),
        remote(ctx));
    Runnable send =
        () -> {
          var f = ctx.writeAndFlush(resp);
          if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
          }
        };
    if (delay > 0) {
      ctx.executor().schedule(send, delay, TimeUnit.MILLISECONDS);
    } else {
      send.run();
    }
  }

  private FullHttpResponse echo(
      ChannelHandlerContext ctx, FullHttpRequest req, QueryStringDecoder uri, boolean http2)
      throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.put("method", req.method().name());
    body.put("path", uri.path());
    body.put("protocol", http2 ? "HTTP/2.0" : req.protocolVersion().text());
    body.put("host", req.headers().get(HttpHeaderNames.HOST, ""));
    Map<String, String> headers = new TreeMap<>();
    for (Map.Entry<String, String> h : req.headers()) {
      String name = h.getKey().toLowerCase(java.util.Locale.ROOT);
      if (!name.startsWith("x-http2-")) {
        headers.merge(name, h.getValue(), (a, b) -> a + "," + b);
      }
    }
    body.set("headers", JSON.valueToTree(headers));
    Map<String, List<String>> query = new TreeMap<>(uri.parameters());
    body.set("query", JSON.valueToTree(query));
    body.put("body_bytes", req.content().readableBytes());
    body.put("remote", remote(ctx));
    ObjectNode podNode = body.putObject("pod");
    podNode.put("name", pod.name());
    podNode.put("namespace", pod.namespace());
    podNode.put("serviceAccount", pod.serviceAccount());
    body.put("version", pod.version());
    HttpResponseStatus status = HttpResponseStatus.valueOf(statusOf(req, uri));
    ByteBuf content =
        Unpooled.wrappedBuffer(
            JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body), new byte[] {'\n'});
    FullHttpResponse resp = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    resp.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes())
        .set("x-echo-pod", pod.name());
    if (!pod.version().isEmpty()) {
      resp.headers().set("x-echo-version", pod.version());
    }
    return resp;
  }

  private static int statusOf(FullHttpRequest req, QueryStringDecoder uri) {
    String v = param(req, uri, "x-echo-status", "status");
    if (v == null) {
      return 200;
    }
    try {
      int s = Integer.parseInt(v.trim());
      return s >= 100 && s <= 599 ? s : 400;
    } catch (NumberFormatException e) {
      return 400;
    }
  }

  private static long delayMs(FullHttpRequest req, QueryStringDecoder uri) {
    String v = param(req, uri, "x-echo-delay-ms", "delay_ms");
    if (v == null) {
      return 0;
    }
    try {
      return Math.clamp(Long.parseLong(v.trim()), 0, MAX_DELAY_MS);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static String param(
      FullHttpRequest req, QueryStringDecoder uri, String header, String q) {
    String h = req.headers().get(header);
    if (h != null) {
      return h;
    }
    List<String> values = uri.parameters().get(q);
    return values == null || values.isEmpty() ? null : values.getFirst();
  }

  private static String remote(ChannelHandlerContext ctx) {
    var ch = ctx.channel() instanceof Http2StreamChannel s ? s.parent() : ctx.channel();
    return ch.remoteAddress() instanceof InetSocketAddress a
        ? a.getAddress().getHostAddress() + ":" + a.getPort()
        : String.valueOf(ch.remoteAddress());
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("echo connection error", cause);
    ctx.close();
  }
}
