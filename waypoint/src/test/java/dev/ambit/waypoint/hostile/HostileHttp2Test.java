package dev.ambit.waypoint.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.waypoint.testing.Harness;
import io.netty.handler.codec.http2.Http2Error;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile HTTP/2 (prior knowledge, as inside a tunnel) at the waypoint, with raw frames over a real
 * loopback socket: each abuse ends with the connection closed and the GOAWAY code naming it, long
 * before the flood is over (so what the waypoint holds for it stays bounded).
 */
class HostileHttp2Test {

  Harness h;
  InetSocketAddress reviews;

  @BeforeEach
  void start() throws Exception {
    h = new Harness();
    reviews = h.reviews();
  }

  @AfterEach
  void stop() {
    h.close();
  }

  int backendRequests() {
    return h.v1.requestCount.get() + h.v2.requestCount.get();
  }

  /**
   * Answers to control frames the client never reads are queued up to Netty's limit (10,000
   * frames), then the connection is torn down with ENHANCE_YOUR_CALM. The GOAWAY itself sits behind
   * the unread answers, so it may be lost with the connection; the close is what counts.
   */
  static void assertCutOffForNotReading(RawH2.Outcome o) {
    assertThat(o.cutOff()).as("the server stopped the flood: %s", o).isTrue();
    assertThat(o.closed()).isTrue();
    assertThat(o.goAwayError()).isIn(-1L, Http2Error.ENHANCE_YOUR_CALM.code());
  }

  @Test
  void wellBehavedClientGetsAnswers() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.exchange(
              x -> {
                x.frame(
                    RawH2.HEADERS,
                    RawH2.END_HEADERS | RawH2.END_STREAM,
                    1,
                    x.block(RawH2.get("/")));
              });
      assertThat(o.status()).isEqualTo(200);
    }
    assertThat(backendRequests()).isEqualTo(1);
  }

  @Test
  void settingsFloodIsCutOff() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.flood(
              x -> {
                for (int i = 0; i < 1_000_000; i++) {
                  x.frame(RawH2.SETTINGS, 0, 0, new byte[0]);
                }
              });
      assertCutOffForNotReading(o);
    }
  }

  @Test
  void pingFloodIsCutOff() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.flood(
              x -> {
                for (int i = 0; i < 1_000_000; i++) {
                  x.frame(RawH2.PING, 0, 0, new byte[8]);
                }
              });
      assertCutOffForNotReading(o);
    }
  }

  @Test
  void rapidResetIsCutOff() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.flood(
              x -> {
                byte[] block = x.block(RawH2.get("/"));
                byte[] cancel = {0, 0, 0, 8};
                for (int id = 1; id < 20_000; id += 2) {
                  x.frame(RawH2.HEADERS, RawH2.END_HEADERS, id, block);
                  x.frame(RawH2.RST_STREAM, 0, id, cancel);
                }
              });
      assertThat(o.goAwayError()).isEqualTo(Http2Error.ENHANCE_YOUR_CALM.code());
      assertThat(o.closed()).isTrue();
    }
    assertThat(backendRequests()).isZero();
  }

  @Test
  void continuationFloodIsCutOff() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.flood(
              x -> {
                x.frame(RawH2.HEADERS, 0, 1, x.block(RawH2.get("/")));
                byte[] junk = new byte[16_384];
                for (int i = 0; i < 10_000; i++) {
                  x.frame(RawH2.CONTINUATION, 0, 1, junk);
                }
              });
      assertThat(o.goAwayError())
          .isIn(Http2Error.ENHANCE_YOUR_CALM.code(), Http2Error.PROTOCOL_ERROR.code());
      assertThat(o.closed()).isTrue();
    }
    assertThat(backendRequests()).isZero();
  }

  @Test
  void emptyContinuationFloodIsCutOff() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.flood(
              x -> {
                x.frame(RawH2.HEADERS, 0, 1, x.block(RawH2.get("/")));
                for (int i = 0; i < 1_000_000; i++) {
                  x.frame(RawH2.CONTINUATION, 0, 1, new byte[0]);
                }
              });
      assertThat(o.goAwayError())
          .isIn(Http2Error.ENHANCE_YOUR_CALM.code(), Http2Error.PROTOCOL_ERROR.code());
      assertThat(o.closed()).isTrue();
    }
    assertThat(backendRequests()).isZero();
  }

  @Test
  void hpackBombIsRefused() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.exchange(
              x -> {
                // one 4000-byte header stored in the dynamic table, then referenced 4000 times
                // with one byte each: 4 KB on the wire, 16 MB once decoded
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                b.writeBytes(new byte[] {(byte) 0x82, (byte) 0x86, (byte) 0x84});
                b.writeBytes(new byte[] {0x40, 0x01, 'x', 0x7f, (byte) 0xa1, 0x1e});
                b.writeBytes("a".repeat(4000).getBytes());
                for (int i = 0; i < 4000; i++) {
                  b.write(0x80 | 62);
                }
                x.frame(RawH2.HEADERS, RawH2.END_HEADERS | RawH2.END_STREAM, 1, b.toByteArray());
              });
      assertThat(o.status()).as("the bomb is refused: %s", o).isEqualTo(431);
    }
    assertThat(backendRequests()).isZero();
  }

  @Test
  void streamsBeyondTheConcurrencyLimitAreRefused() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.exchange(
              x -> {
                byte[] block = x.block(RawH2.get("/"));
                // 101 open requests whose bodies never come: the last one is one too many
                for (int id = 1; id <= 201; id += 2) {
                  x.frame(RawH2.HEADERS, RawH2.END_HEADERS, id, block);
                }
              });
      assertThat(o.resets()).as("%s", o).isEqualTo(1);
      assertThat(o.responses()).isZero();
    }
    assertThat(backendRequests()).isZero();
  }

  @Test
  void unknownMethodIsNotImplemented() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.exchange(
              x ->
                  x.frame(
                      RawH2.HEADERS,
                      RawH2.END_HEADERS | RawH2.END_STREAM,
                      1,
                      x.block(RawH2.get("/").method("BREW"))));
      assertThat(o.status()).as("%s", o).isEqualTo(501);
    }
    assertThat(backendRequests()).isZero();
  }

  @Test
  void connectThroughTheWaypointIsNotImplemented() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.exchange(
              x ->
                  x.frame(
                      RawH2.HEADERS,
                      RawH2.END_HEADERS,
                      1,
                      x.block(
                          new io.netty.handler.codec.http2.DefaultHttp2Headers()
                              .method("CONNECT")
                              .authority("10.0.0.1:22"))));
      assertThat(o.status() == 501 || (o.responses() == 0 && o.resets() == 1))
          .as("refused: %s", o)
          .isTrue();
    }
    assertThat(backendRequests()).isZero();
  }

  @Test
  void oversizedFrameIsAFrameSizeError() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o =
          c.flood(x -> x.frame(RawH2.HEADERS, RawH2.END_HEADERS, 1, new byte[20_000]));
      assertThat(o.goAwayError()).isEqualTo(Http2Error.FRAME_SIZE_ERROR.code());
      assertThat(o.closed()).isTrue();
    }
    assertThat(backendRequests()).isZero();
  }

  @Test
  void dataOnStreamZeroIsAProtocolError() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o = c.flood(x -> x.frame(RawH2.DATA, 0, 0, new byte[4]));
      assertThat(o.goAwayError()).isEqualTo(Http2Error.PROTOCOL_ERROR.code());
    }
  }

  @Test
  void malformedSettingsIsAFrameSizeError() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      RawH2.Outcome o = c.flood(x -> x.frame(RawH2.SETTINGS, 0, 0, new byte[5]));
      assertThat(o.goAwayError()).isEqualTo(Http2Error.FRAME_SIZE_ERROR.code());
    }
  }

  @Test
  void windowOverflowIsAFlowControlError() throws Exception {
    try (RawH2 c = new RawH2(reviews)) {
      byte[] max = ByteBuffer.allocate(4).putInt(0x7fffffff).array();
      RawH2.Outcome o =
          c.flood(
              x -> {
                x.frame(8, 0, 0, max);
                x.frame(8, 0, 0, max);
              });
      assertThat(o.goAwayError()).isEqualTo(Http2Error.FLOW_CONTROL_ERROR.code());
    }
  }
}
