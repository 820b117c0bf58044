package dev.ambit.ztunnel.proxy;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** A minimal SOCKS5 client (no auth, CONNECT by host name) over a plain socket. */
public final class Socks5Client {

  private Socks5Client() {}

  /**
   * Connects through the proxy at {@code proxy}; returns the SOCKS reply code (0 = success) and
   * leaves {@code socket} ready for application bytes when it is 0.
   */
  public static int connect(Socket socket, InetSocketAddress proxy, String host, int port)
      throws IOException {
    socket.connect(proxy, 5000);
    socket.setSoTimeout(10_000);
    OutputStream out = socket.getOutputStream();
    DataInputStream in = new DataInputStream(socket.getInputStream());
    out.write(new byte[] {5, 1, 0});
    out.flush();
    byte[] method = new byte[2];
    in.readFully(method);
    if (method[1] != 0) {
      throw new IOException("proxy refused no-auth");
    }
    byte[] name = host.getBytes(StandardCharsets.US_ASCII);
    byte[] req = new byte[7 + name.length];
    req[0] = 5;
    req[1] = 1;
    req[3] = 3;
    req[4] = (byte) name.length;
    System.arraycopy(name, 0, req, 5, name.length);
    req[5 + name.length] = (byte) (port >> 8);
    req[6 + name.length] = (byte) port;
    out.write(req);
    out.flush();
    byte[] reply = new byte[10];
    in.readFully(reply);
    return reply[1];
  }
}
