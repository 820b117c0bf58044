package dev.ambit.waypoint.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.handler.codec.http2.Http2MultiplexCodec;
import io.netty.handler.codec.http2.Http2MultiplexCodecBuilder;
import io.netty.handler.codec.http2.Http2Settings;

/**
 * The protections of the waypoint's downstream HTTP/2 codec, stated here rather than left to
 * library defaults: a bounded number of concurrent streams (Netty's default is unbounded), a
 * bounded header list (431 beyond it, also against HPACK bombs), a cap on RST_STREAM frames per
 * window (rapid reset) and on control-frame answers queued for a peer that does not read (SETTINGS
 * and PING floods), both answered with GOAWAY ENHANCE_YOUR_CALM.
 */
final class Http2Limits {

  static final int MAX_CONCURRENT_STREAMS = 100;
  static final int MAX_HEADER_LIST_BYTES = 8192;
  static final int MAX_RST_FRAMES = 200;
  static final int RST_WINDOW_SECONDS = 30;
  static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;

  private Http2Limits() {}

  /** The server codec with one child channel per stream, set up by {@code streamInitializer}. */
  @SuppressWarnings("deprecation") // see WaypointProxy#http2Server for why the multiplex codec
  static Http2MultiplexCodec serverCodec(ChannelHandler streamInitializer) {
    return Http2MultiplexCodecBuilder.forServer(streamInitializer)
        .initialSettings(
            Http2Settings.defaultSettings()
                .maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                .maxHeaderListSize(MAX_HEADER_LIST_BYTES))
        .decoderEnforceMaxRstFramesPerWindow(MAX_RST_FRAMES, RST_WINDOW_SECONDS)
        .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
        .decoderEnforceMaxConsecutiveEmptyDataFrames(2)
        .build();
  }
}
