package dev.ambit.node.images;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * The gRPC health service's Check method, by hand: the request (a length-prefixed
 * HealthCheckRequest) is accepted whatever service it names, the answer is HealthCheckResponse
 * {status: SERVING} (field 1, varint 1). Other methods get UNIMPLEMENTED.
 */
final class GrpcHealth {
  static final String CHECK = "/grpc.health.v1.Health/Check";
  private static final int SERVING = 1;
  private static final int OK = 0;
  private static final int INVALID_ARGUMENT = 3;
  private static final int UNIMPLEMENTED = 12;

  private GrpcHealth() {}

  static FullHttpResponse answer(String path, ByteBuf request) {
    if (!CHECK.equals(path)) {
      return trailersOnly(UNIMPLEMENTED, "method not implemented: " + path);
    }
    if (request.readableBytes() < 5 || request.getByte(request.readerIndex()) != 0) {
      return trailersOnly(INVALID_ARGUMENT, "expected one uncompressed message");
    }
    ByteBuf body = Unpooled.buffer(7);
    body.writeByte(0); // not compressed
    body.writeInt(2); // message length
    body.writeByte(1 << 3); // field 1, wire type varint
    body.writeByte(SERVING);
    FullHttpResponse resp =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
    resp.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/grpc");
    resp.trailingHeaders().setInt("grpc-status", OK);
    return resp;
  }

  private static FullHttpResponse trailersOnly(int code, String message) {
    FullHttpResponse resp =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.EMPTY_BUFFER);
    resp.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, "application/grpc")
        .setInt("grpc-status", code)
        .set("grpc-message", message);
    return resp;
  }
}
