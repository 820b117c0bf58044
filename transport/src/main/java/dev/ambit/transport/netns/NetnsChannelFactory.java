package dev.ambit.transport.netns;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelFactory;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A Netty {@link ChannelFactory} whose channels' sockets are created inside a network namespace
 * (Netty's epoll channels create their socket in the constructor). Binding, connecting and I/O can
 * then happen on any event loop. Reuse one instance per namespace: {@code HbonePool} shares
 * connections only between connects made with the same factory instance.
 *
 * <p>The namespace is opened on the first channel and kept open until {@link #close}, so that each
 * further channel costs two {@code setns} calls and no path lookup; channels created after {@link
 * #close} fail. The namespace therefore stays the one that was there at the first channel, even if
 * another is later mounted at the same path.
 */
public final class NetnsChannelFactory<C extends Channel>
    implements ChannelFactory<C>, AutoCloseable {

  private final Path netns;
  private final Supplier<C> constructor;
  private final Consumer<? super C> configure;
  private volatile Netns.Handle handle;
  private boolean closed; // guarded by this

  /**
   * @param netns the namespace file, or null for the current namespace
   * @param constructor creates the channel (and its socket)
   * @param configure applied right after creation, e.g. to set SO_MARK or IP_TRANSPARENT
   */
  public NetnsChannelFactory(Path netns, Supplier<C> constructor, Consumer<? super C> configure) {
    this.netns = netns;
    this.constructor = constructor;
    this.configure = configure;
  }

  /** Outbound TCP sockets in {@code netns}. */
  public static NetnsChannelFactory<EpollSocketChannel> socket(
      Path netns, Consumer<? super EpollSocketChannel> configure) {
    return new NetnsChannelFactory<>(netns, EpollSocketChannel::new, configure);
  }

  /** Listening TCP sockets in {@code netns}. */
  public static NetnsChannelFactory<EpollServerSocketChannel> serverSocket(
      Path netns, Consumer<? super EpollServerSocketChannel> configure) {
    return new NetnsChannelFactory<>(netns, EpollServerSocketChannel::new, configure);
  }

  /** The namespace file, or null for the current one. */
  public Path netns() {
    return netns;
  }

  @Override
  public C newChannel() {
    C channel;
    try {
      channel = netns == null ? constructor.get() : handle().run(constructor::get);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new ChannelException("cannot create a channel in " + netns, e);
    }
    configure.accept(channel);
    return channel;
  }

  private Netns.Handle handle() {
    Netns.Handle h = handle;
    if (h != null) {
      return h;
    }
    synchronized (this) {
      if (closed) {
        throw new NetnsException("channel factory for " + netns + " is closed");
      }
      if (handle == null) {
        handle = Netns.open(netns);
      }
      return handle;
    }
  }

  /** Closes the namespace (once channels being created have been); later channels fail. */
  @Override
  public synchronized void close() {
    closed = true;
    if (handle != null) {
      handle.close();
    }
  }

  @Override
  public String toString() {
    return "NetnsChannelFactory[" + (netns == null ? "current" : netns) + "]";
  }
}
