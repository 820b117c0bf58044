package dev.ambit.ztunnel.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/** The channels of one pod's connections, so removal and drain can find and close them. */
final class Connections {

  private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  void add(Channel ch) {
    channels.add(ch);
  }

  int size() {
    return channels.size();
  }

  /** Resets every connection. */
  void abortAll() {
    for (Channel ch : channels) {
      abort(ch);
    }
  }

  /** Closes {@code ch} with a TCP reset when it is a socket. */
  static void abort(Channel ch) {
    if (!ch.isOpen()) {
      return;
    }
    try {
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
    } catch (RuntimeException ignored) {
      // Not a socket (an HTTP/2 stream): closing resets the stream.
    }
    ch.close();
  }
}
