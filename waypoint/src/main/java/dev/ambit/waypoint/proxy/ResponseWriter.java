package dev.ambit.waypoint.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.CompletableFuture;

/**
 * Writes a response to the downstream connection or stream: a whole response as one message (an
 * HTTP/2 trailers-only answer stays a single HEADERS frame), a streamed one as its head followed by
 * its body, as fast as the downstream takes it. HTTP/1.1 bodies of unknown length go chunked.
 */
final class ResponseWriter {

  private ResponseWriter() {}

  /** Completes when the response was written (or failed to be); on the channel's loop. */
  static CompletableFuture<BodyEnd> write(
      Channel ch, ProxyResponse res, boolean http1, boolean keepAlive) {
    HttpResponse head = res.head();
    HopByHop.strip(head.headers());
    HopByHop.stripHttp2Extensions(head.headers());
    if (http1) {
      head.setProtocolVersion(HttpVersion.HTTP_1_1);
      HttpUtil.setKeepAlive(head, keepAlive);
    }
    if (!ch.isActive()) {
      res.discard();
      return CompletableFuture.completedFuture(BodyEnd.abandoned(0));
    }
    FullHttpResponse full = res.full();
    if (full != null) {
      long bytes = full.content().readableBytes();
      if (!head.headers().contains(HttpHeaderNames.CONTENT_LENGTH) && (http1 || bytes > 0)) {
        head.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, (int) bytes);
      }
      var trailers =
          full.trailingHeaders().isEmpty()
              ? EmptyHttpHeaders.INSTANCE
              : new DefaultHttpHeaders().add(full.trailingHeaders());
      CompletableFuture<BodyEnd> done = new CompletableFuture<>();
      ch.writeAndFlush(full)
          .addListener(
              f -> done.complete(new BodyEnd(f.isSuccess() ? bytes : 0, trailers, f.isSuccess())));
      return done;
    }
    if (http1 && !HttpUtil.isContentLengthSet(head) && mayHaveBody(head)) {
      HttpUtil.setTransferEncodingChunked(head, true);
    }
    ch.write(head);
    return res.body().pipeTo(ch);
  }

  private static boolean mayHaveBody(HttpResponse head) {
    int code = head.status().code();
    return code >= 200 && code != 204 && code != 304;
  }
}
