package dev.ambit.node.images;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpEchoServerTest {
  @Test
  void echoesEveryByteAndClosesAfterThePeerDoes() throws Exception {
    try (TcpEchoServer server = TcpEchoServer.start(new InetSocketAddress("127.0.0.1", 0));
        Socket s = new Socket("127.0.0.1", server.port())) {
      byte[] payload = "ping over tcp\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
      s.getOutputStream().write(payload);
      s.shutdownOutput();
      assertThat(s.getInputStream().readAllBytes()).isEqualTo(payload);
    }
  }
}
