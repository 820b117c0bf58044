package dev.ambit.waypoint.proxy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Responses the waypoint writes itself (denials, timeouts, no upstream). */
final class LocalReplies {

  static final String RBAC_DENIED = "RBAC: access denied";

  private LocalReplies() {}

  /** A local reply for the filter chain. */
  static ProxyResponse reply(int status, String body) {
    return ProxyResponse.local(of(status, body));
  }

  static FullHttpResponse of(int status, String body) {
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            HttpResponseStatus.valueOf(status),
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain");
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes());
    return res;
  }
}
