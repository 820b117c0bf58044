package dev.ambit.transport.socket;

import io.netty.channel.Channel;
import io.netty.channel.unix.RawUnixChannelOption;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Optional;

/**
 * The destination a connection had before a netfilter {@code REDIRECT} ({@code SO_ORIGINAL_DST}).
 * Works on Netty epoll socket channels. After {@code TPROXY} no lookup is needed: the local address
 * already is the original destination.
 */
public final class OriginalDestination {

  private static final int SO_ORIGINAL_DST = 80;
  private static final RawUnixChannelOption V4 =
      new RawUnixChannelOption("SO_ORIGINAL_DST", 0, SO_ORIGINAL_DST, 16);
  private static final RawUnixChannelOption V6 =
      new RawUnixChannelOption("IP6T_SO_ORIGINAL_DST", 41, SO_ORIGINAL_DST, 28);

  private OriginalDestination() {}

  /**
   * The original destination of an accepted connection: where the client connected before any NAT
   * (for a connection that was not redirected, simply its local address). Empty when the kernel
   * tracks no such connection (no connection tracking in that namespace) or the channel is not an
   * epoll socket channel.
   */
  public static Optional<InetSocketAddress> of(Channel accepted) {
    boolean v6 =
        accepted.localAddress() instanceof InetSocketAddress local
            && !(local.getAddress() instanceof Inet4Address)
            && !isV4Mapped(local.getAddress());
    try {
      ByteBuffer raw = accepted.config().getOption(v6 ? V6 : V4);
      return raw == null ? Optional.empty() : Optional.of(v6 ? decodeV6(raw) : decodeV4(raw));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Decodes a {@code struct sockaddr_in}: port in bytes 2-3 (big endian), address in 4-7. */
  static InetSocketAddress decodeV4(ByteBuffer raw) {
    byte[] ip = new byte[4];
    raw.get(4, ip);
    return new InetSocketAddress(address(ip), port(raw));
  }

  /** Decodes a {@code struct sockaddr_in6}: port in bytes 2-3, address in 8-23. */
  static InetSocketAddress decodeV6(ByteBuffer raw) {
    byte[] ip = new byte[16];
    raw.get(8, ip);
    return new InetSocketAddress(address(ip), port(raw));
  }

  private static int port(ByteBuffer raw) {
    return ((raw.get(2) & 0xff) << 8) | (raw.get(3) & 0xff);
  }

  private static InetAddress address(byte[] ip) {
    try {
      return InetAddress.getByAddress(ip);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("bad address length " + ip.length, e);
    }
  }

  private static boolean isV4Mapped(InetAddress address) {
    byte[] b = address.getAddress();
    if (b.length != 16) {
      return false;
    }
    byte[] prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff};
    return Arrays.equals(Arrays.copyOf(b, 12), prefix);
  }
}
