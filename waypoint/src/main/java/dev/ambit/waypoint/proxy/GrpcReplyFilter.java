package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.metrics.GrpcStatus;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.CompletableFuture;

/**
 * Answers gRPC calls in gRPC: the waypoint's own replies (denial, timeout, no upstream, no route)
 * to a gRPC request become HTTP 200 "trailers-only" responses carrying {@code grpc-status} and
 * {@code grpc-message}, which gRPC clients understand (a bare 403 or 504 reaches a gRPC application
 * as an opaque transport error).
 */
final class GrpcReplyFilter implements HttpFilter {

  @Override
  public CompletableFuture<ProxyResponse> filter(Exchange ex, HttpHandler next) {
    if (!ex.isGrpc()) {
      return next.handle(ex);
    }
    return next.handle(ex)
        .thenApply(
            res -> {
              if (!res.isLocal()) {
                return res;
              }
              FullHttpResponse local = res.full();
              ProxyResponse grpc =
                  ProxyResponse.local(
                      trailersOnly(
                          statusFor(local.status().code()),
                          local.content().toString(java.nio.charset.StandardCharsets.UTF_8)));
              res.discard();
              return grpc;
            });
  }

  /** The gRPC status for a local reply's HTTP status. */
  static GrpcStatus statusFor(int httpStatus) {
    return switch (httpStatus) {
      case 400 -> GrpcStatus.INTERNAL;
      case 401 -> GrpcStatus.UNAUTHENTICATED;
      case 403 -> GrpcStatus.PERMISSION_DENIED;
      case 404 -> GrpcStatus.UNIMPLEMENTED;
      case 429, 502, 503 -> GrpcStatus.UNAVAILABLE;
      case 504 -> GrpcStatus.DEADLINE_EXCEEDED;
      default -> GrpcStatus.UNKNOWN;
    };
  }

  private static FullHttpResponse trailersOnly(GrpcStatus status, String message) {
    FullHttpResponse res = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
    res.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
    res.headers().set("grpc-status", status.label());
    res.headers().set("grpc-message", percentEncode(message));
    return res;
  }

  /** grpc-message is percent-encoded UTF-8 (printable ASCII other than '%' stays as is). */
  private static String percentEncode(String s) {
    StringBuilder b = new StringBuilder();
    for (byte x : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
      int c = x & 0xff;
      if (c >= 0x20 && c <= 0x7e && c != '%') {
        b.append((char) c);
      } else {
        b.append('%').append(String.format("%02X", c));
      }
    }
    return b.toString();
  }
}
