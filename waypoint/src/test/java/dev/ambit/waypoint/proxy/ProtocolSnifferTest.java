package dev.ambit.waypoint.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProtocolSnifferTest {

  static Protocol sniff(String s) {
    ByteBuf b = Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    try {
      return ProtocolSniffer.sniff(b);
    } finally {
      b.release();
    }
  }

  @Test
  void http2PrefaceMeansPriorKnowledgeHttp2() {
    assertThat(sniff("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0")).isEqualTo(Protocol.HTTP2);
    assertThat(sniff("PRI * HTTP/2.0\r\n")).as("needs the whole preface").isNull();
  }

  @Test
  void requestLineMeansHttp1() {
    assertThat(sniff("GET /x HTTP/1.1\r\nHost: a\r\n")).isEqualTo(Protocol.HTTP1);
    assertThat(sniff("POST /a?b=c HTTP/1.0\r\n")).isEqualTo(Protocol.HTTP1);
    assertThat(sniff("GET /x HTT")).as("line not complete yet").isNull();
    assertThat(sniff("PR")).isNull();
  }

  @Test
  void anythingElseIsTcp() {
    assertThat(sniff("\u0016\u0003\u0001")).as("a TLS client hello").isEqualTo(Protocol.TCP);
    assertThat(sniff("hello\r\n")).isEqualTo(Protocol.TCP);
    assertThat(sniff("GET / SPDY/3\r\n")).isEqualTo(Protocol.TCP);
    assertThat(sniff("PRIVMSG #chan :hi\r\n")).isEqualTo(Protocol.TCP);
  }
}
