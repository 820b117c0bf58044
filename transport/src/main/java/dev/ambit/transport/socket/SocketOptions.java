package dev.ambit.transport.socket;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.unix.IntegerUnixChannelOption;

/** Socket options the data path needs that Netty has no named option for, or names elsewhere. */
public final class SocketOptions {

  /**
   * {@code SO_MARK} (SOL_SOCKET=1, 36): the fwmark on packets of this socket. Needs CAP_NET_ADMIN.
   */
  public static final IntegerUnixChannelOption SO_MARK =
      new IntegerUnixChannelOption("SO_MARK", 1, 36);

  /** The mark ztunnel puts on its own sockets so the pod's redirection rules skip them. */
  public static final int ZTUNNEL_MARK = 0x539;

  private SocketOptions() {}

  /** Sets SO_MARK on an epoll channel (before connect, so the SYN carries it). */
  public static void mark(Channel channel, int mark) {
    if (!channel.config().setOption(SO_MARK, mark)) {
      throw new IllegalArgumentException(
          "SO_MARK is not supported by " + channel.getClass().getSimpleName());
    }
  }

  /** The channel's SO_MARK. */
  public static int mark(Channel channel) {
    Integer mark = channel.config().getOption(SO_MARK);
    if (mark == null) {
      throw new IllegalArgumentException(
          "SO_MARK is not supported by " + channel.getClass().getSimpleName());
    }
    return mark;
  }

  /**
   * Sets IP_TRANSPARENT: a listener accepts TPROXY'd connections for foreign addresses; an outbound
   * socket may bind a foreign source address. Needs CAP_NET_ADMIN; set before bind.
   */
  public static void transparent(Channel channel) {
    if (!channel.config().setOption(EpollChannelOption.IP_TRANSPARENT, true)) {
      throw new IllegalArgumentException(
          "IP_TRANSPARENT is not supported by " + channel.getClass().getSimpleName());
    }
  }
}
