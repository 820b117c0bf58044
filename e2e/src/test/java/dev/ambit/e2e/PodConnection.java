package dev.ambit.e2e;

import dev.ambit.transport.netns.Netns;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Locale;

/**
 * One long-lived HTTP/1.1 keep-alive connection opened from inside a pod's network namespace, as
 * the application in that pod would: its traffic is captured by the pod's ztunnel like any other.
 */
final class PodConnection implements AutoCloseable {

  private final Socket socket;
  private final String host;

  private PodConnection(Socket socket, String host) {
    this.socket = socket;
    this.host = host;
  }

  /** Connects from the netns {@code /var/run/netns/NETNS} to {@code target}. */
  static PodConnection open(String netns, InetSocketAddress target, String host) throws Exception {
    // The socket belongs to the namespace it was created in; connect and I/O work from anywhere.
    SocketChannel channel = Netns.run(Path.of("/var/run/netns", netns), SocketChannel::open);
    Socket socket = channel.socket();
    socket.connect(target, 10_000);
    socket.setSoTimeout(60_000);
    return new PodConnection(socket, host);
  }

  /** Sends {@code GET path} on this connection and returns the status line's code. */
  int get(String path) throws IOException {
    String request =
        "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: ambit-e2e\r\n\r\n";
    socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
    InputStream in = socket.getInputStream();
    String head = readHead(in);
    int length = 0;
    for (String line : head.split("\r\n")) {
      if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
        length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
    }
    in.readNBytes(length);
    return Integer.parseInt(head.substring(9, 12));
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (matched < end.length) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("connection closed after " + head.size() + " bytes: " + head);
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
