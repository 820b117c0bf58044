package dev.ambit.transport.hbone;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http2.DecoratingHttp2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2ConnectionEncoder;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Stream;

/**
 * Ignores frames that arrive on a stream this side reset, as HTTP/2 requires (RFC 9113, section
 * 5.1, "closed"): a peer keeps sending DATA until our RST_STREAM reaches it, up to the stream's
 * whole window. Netty forgets a stream once it is closed and answers each such frame with a
 * RST_STREAM (STREAM_CLOSED); a server counts those against its limit of resets per window, so
 * tunnels reset by their upstream while the sender ran at full speed (the end of {@code iperf3 -P
 * 4}) made the server close the whole connection with every other tunnel on it (ENHANCE_YOUR_CALM).
 *
 * <p>This encoder remembers the ids of the last {@value #REMEMBERED} streams this side reset and
 * drops the STREAM_CLOSED reset Netty would send for them. The frames' bytes still return to the
 * connection's flow-control window (Netty does that before it answers). Frames on streams that
 * ended normally, or on streams reset long ago, are still answered with a reset. Event loop only.
 */
final class FramesAfterReset extends DecoratingHttp2ConnectionEncoder {

  /** How many reset stream ids are remembered (far more than the concurrent stream limit). */
  static final int REMEMBERED = 1024;

  private final int[] resetIds = new int[REMEMBERED];
  private int next;

  FramesAfterReset(Http2ConnectionEncoder delegate) {
    super(delegate);
    delegate
        .connection()
        .addListener(
            new Http2ConnectionAdapter() {
              @Override
              public void onStreamClosed(Http2Stream stream) {
                if (stream.isResetSent()) {
                  resetIds[next] = stream.id();
                  next = (next + 1) % REMEMBERED;
                }
              }
            });
  }

  @Override
  public ChannelFuture writeRstStream(
      ChannelHandlerContext ctx, int streamId, long errorCode, ChannelPromise promise) {
    if (errorCode == Http2Error.STREAM_CLOSED.code()
        && connection().stream(streamId) == null
        && wasReset(streamId)) {
      return promise.setSuccess();
    }
    return super.writeRstStream(ctx, streamId, errorCode, promise);
  }

  private boolean wasReset(int streamId) {
    for (int id : resetIds) {
      if (id == streamId) {
        return true;
      }
    }
    return false;
  }
}
