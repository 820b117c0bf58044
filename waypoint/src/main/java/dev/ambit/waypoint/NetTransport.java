package dev.ambit.waypoint;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;

/**
 * The socket transport of the waypoint's event loops: native epoll where it is available (no
 * selector, no copy into a direct buffer per read, as in the ztunnel), NIO otherwise. Event loops
 * and channels must come from the same transport.
 */
record NetTransport(
    IoHandlerFactory ioHandler,
    ChannelFactory<? extends Channel> sockets,
    ChannelFactory<? extends ServerChannel> serverSockets) {

  static NetTransport best() {
    if (Epoll.isAvailable()) {
      return new NetTransport(
          EpollIoHandler.newFactory(), EpollSocketChannel::new, EpollServerSocketChannel::new);
    }
    return new NetTransport(
        NioIoHandler.newFactory(), NioSocketChannel::new, NioServerSocketChannel::new);
  }
}
