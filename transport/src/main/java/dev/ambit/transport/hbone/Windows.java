package dev.ambit.transport.hbone;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * HTTP/2 flow-control windows of HBONE connections. A stream's window bounds what one tunnel can
 * buffer at the receiver while its upstream is slow; the connection window bounds all of them.
 */
final class Windows {

  /** Per-stream receive window. */
  static final int STREAM = 1 << 20;

  /** Per-connection receive window. */
  static final int CONNECTION = 8 << 20;

  private Windows() {}

  /** {@code settings} with the stream window. */
  static Http2Settings apply(Http2Settings settings) {
    return settings.initialWindowSize(STREAM);
  }

  /** Raises the connection window of a channel whose HTTP/2 codec was just added. */
  static void openConnectionWindow(Channel connection) {
    connection.writeAndFlush(
        new DefaultHttp2WindowUpdateFrame(CONNECTION - Http2CodecUtil.DEFAULT_WINDOW_SIZE));
  }
}
