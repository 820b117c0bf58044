package dev.ambit.transport.hbone;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class AuthorityTest {

  @Test
  void parsesIpLiteralsWithPorts() {
    assertThat(Authority.parse("10.1.2.3:8080")).contains(new InetSocketAddress("10.1.2.3", 8080));
    assertThat(Authority.parse("[fd00::1]:443")).contains(new InetSocketAddress("fd00::1", 443));
  }

  @Test
  void rejectsNamesBadPortsAndGarbage() {
    for (String bad :
        new String[] {
          "reviews:9080",
          "10.1.2.3",
          "10.1.2.3:",
          "10.1.2.3:0",
          "10.1.2.3:65536",
          "10.1.2.3:-1",
          "fd00::1:80",
          "[fd00::1]",
          ":80",
          "10.1.2:80",
          ""
        }) {
      assertThat(Authority.parse(bad)).as(bad).isEmpty();
    }
  }

  @Test
  void rejectsNonAsciiDigitsInThePort() {
    assertThat(Authority.parse("10.1.2.3:\u0668\u0660")).isEmpty();
    assertThat(Authority.parse("10.1.2.3:\uff18\uff10")).isEmpty();
  }

  @Test
  void formatsRoundTrip() {
    InetSocketAddress v4 = new InetSocketAddress("10.96.0.7", 9080);
    InetSocketAddress v6 = new InetSocketAddress("fd00::7", 9080);
    assertThat(Authority.format(v4)).isEqualTo("10.96.0.7:9080");
    assertThat(Authority.format(v6)).isEqualTo("[fd00:0:0:0:0:0:0:7]:9080");
    assertThat(Authority.parse(Authority.format(v6))).contains(v6);
  }
}
