package dev.ambit.waypoint.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Netty's HTTP/1.1 request decoder in its strict configuration (CRLF line endings only, RFC 9112
 * transfer-encoding rules, one Content-Length), also refusing obsolete line folding, which Netty
 * would silently join into the previous header's value. After the first malformed request nothing
 * more is decoded on the connection: a failed request (see {@link RequestGuard}) is emitted and
 * every later byte is dropped.
 */
final class StrictRequestDecoder extends HttpRequestDecoder {

  static final int MAX_INITIAL_LINE = 4096;
  static final int MAX_HEADER_BLOCK = 8192;
  private static final int SCAN_LIMIT = MAX_INITIAL_LINE + MAX_HEADER_BLOCK + 4;

  /** The next bytes are a request line or header lines (not a body). */
  private boolean inHead = true;

  /** Some lines of the current head were already consumed, so the next byte starts a line. */
  private boolean midHead;

  private boolean failed;

  StrictRequestDecoder() {
    super(
        new HttpDecoderConfig()
            .setMaxInitialLineLength(MAX_INITIAL_LINE)
            .setMaxHeaderSize(MAX_HEADER_BLOCK)
            .setStrictLineParsing(true)
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false)
            .setValidateHeaders(true));
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (inHead && hasFoldedLine(in)) {
      failed = true;
      in.skipBytes(in.readableBytes());
      out.add(malformed("obsolete line folding"));
      return;
    }
    int emitted = out.size();
    int start = in.readerIndex();
    super.decode(ctx, in, out);
    for (int i = emitted; i < out.size(); i++) {
      Object o = out.get(i);
      if (o instanceof HttpMessage m) {
        inHead = false;
        midHead = false;
        failed = m.decoderResult().isFailure();
      }
      if (o instanceof HttpContent c && c.decoderResult().isFailure()) {
        failed = true; // a bad chunk: the decoder reads nothing more, nor do we
      }
      if (o instanceof LastHttpContent) {
        inHead = !failed;
      }
    }
    if (inHead && out.size() == emitted && in.readerIndex() > start) {
      midHead = true;
    }
  }

  /** Whether the head at the start of {@code in} has a line starting with a space or tab. */
  private boolean hasFoldedLine(ByteBuf in) {
    int from = in.readerIndex();
    int to = Math.min(in.writerIndex(), from + SCAN_LIMIT);
    if (midHead && from < to) {
      byte first = in.getByte(from);
      if (isBlank(first)) {
        return true;
      }
      if (first == '\r' || first == '\n') {
        return false; // the empty line ending the head, read apart from the lines before it
      }
    }
    for (int i = from; i < to - 1; i++) {
      if (in.getByte(i) != '\n') {
        continue;
      }
      byte next = in.getByte(i + 1);
      if (next == '\r' || next == '\n') {
        return false; // the empty line ending the head
      }
      if (isBlank(next)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isBlank(byte b) {
    return b == ' ' || b == '\t';
  }

  private static FullHttpRequest malformed(String why) {
    FullHttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
    bad.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(why)));
    return bad;
  }
}
