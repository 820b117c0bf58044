package dev.ambit.ztunnel.proxy;

import dev.ambit.transport.netns.Netns;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A TCP echo server on a real socket; remembers the source address of each connection. */
public final class EchoServer implements AutoCloseable {

  final ServerSocket server;
  final List<InetSocketAddress> peers = new CopyOnWriteArrayList<>();

  public EchoServer(InetSocketAddress at) throws IOException {
    this(bind(at));
  }

  private EchoServer(ServerSocket server) {
    this.server = server;
    Thread.ofVirtual().start(this::accept);
  }

  /**
   * An echo server listening in the network namespace {@code netns}. Only the socket is made inside
   * it: a thread started there (a virtual thread's carrier, too) would stay in it.
   */
  public static EchoServer in(Path netns, InetSocketAddress at) throws Exception {
    return new EchoServer(Netns.run(netns, () -> bind(at)));
  }

  private static ServerSocket bind(InetSocketAddress at) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(at);
    return server;
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        peers.add((InetSocketAddress) s.getRemoteSocketAddress());
        Thread.ofVirtual().start(() -> echo(s));
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void echo(Socket s) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) > 0) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException ignored) {
      // The client went away.
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
