package dev.ambit.transport.hbone;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.epoll.Native;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a TCP socket of the epoll transport in its event loop's epoll set for as long as it is
 * open.
 *
 * <p>Netty's epoll registration (4.2) removes a socket from the epoll set once its interest set
 * becomes empty, yet goes on treating it as added: the next interest is an {@code EPOLL_CTL_MOD}
 * that fails with {@code ENOENT}. A relayed socket gets an empty interest set once its input ended
 * (the peer's FIN clears read interest and read-hang-up interest) while nothing is waiting to be
 * written; the first write the socket cannot take at once then needs write interest, fails, shuts
 * the socket's output down and the relay aborts the connection. That is a client which half-closed
 * after its request and receives a large response, at any time and on any thread layout; it is
 * likelier when the relay writes on the socket's own thread, right after the FIN was processed.
 *
 * <p>The error interest keeps the set non-empty without changing what the socket reports: the
 * kernel reports errors whether asked for or not.
 */
final class EpollInterest {

  private static final Logger log = LoggerFactory.getLogger(EpollInterest.class);

  private static final Method SET_FLAG = setFlag();

  private EpollInterest() {}

  /**
   * Adds the error interest to {@code channel} if it is a connected epoll socket; on its event
   * loop, once connected (before that the socket must not be in the epoll set) and before its input
   * can have ended.
   */
  static void keepRegistered(Channel channel) {
    if (SET_FLAG == null || !(channel instanceof EpollSocketChannel) || !channel.isActive()) {
      return;
    }
    try {
      SET_FLAG.invoke(channel, Native.EPOLLERR);
    } catch (InvocationTargetException e) {
      log.debug("cannot keep {} in the epoll set", channel, e.getCause());
    } catch (IllegalAccessException e) {
      log.debug("cannot keep {} in the epoll set", channel, e);
    }
  }

  private static Method setFlag() {
    try {
      Method m =
          Class.forName("io.netty.channel.epoll.AbstractEpollChannel")
              .getDeclaredMethod("setFlag", int.class);
      m.setAccessible(true);
      return m;
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "epoll sockets cannot be pinned in their epoll set; half-closed relays may abort", e);
      return null;
    }
  }
}
