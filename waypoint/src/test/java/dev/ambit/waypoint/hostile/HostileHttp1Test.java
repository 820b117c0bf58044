package dev.ambit.waypoint.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.waypoint.testing.Harness;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Hostile HTTP/1.1 at the waypoint over real loopback sockets: every malformed or ambiguous request
 * is answered with an error status and the connection is closed, and no byte of it reaches a
 * backend (the echo pods see no connection at all).
 */
class HostileHttp1Test {

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

  /** What the waypoint wrote before closing, and whether it closed. */
  record Reply(String text, boolean closed) {
    int status() {
      return text.startsWith("HTTP/1.1 ") ? Integer.parseInt(text.substring(9, 12)) : -1;
    }
  }

  Reply send(String raw) throws IOException {
    return send(raw.getBytes(StandardCharsets.ISO_8859_1));
  }

  Reply send(byte[] raw) throws IOException {
    try (Socket s = new Socket(reviews.getAddress(), reviews.getPort())) {
      s.setSoTimeout(3000);
      s.getOutputStream().write(raw);
      s.getOutputStream().flush();
      InputStream in = s.getInputStream();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      byte[] buf = new byte[8192];
      boolean closed = false;
      try {
        int n;
        while ((n = in.read(buf)) >= 0) {
          got.write(buf, 0, n);
        }
        closed = true;
      } catch (SocketTimeoutException stillOpen) {
        // the connection stayed open: reported as not closed
      } catch (IOException reset) {
        closed = true;
      }
      return new Reply(got.toString(StandardCharsets.ISO_8859_1), closed);
    }
  }

  void assertRefused(String raw, int status) throws IOException {
    Reply r = send(raw);
    assertThat(r.status()).as("reply to %s: %s", raw, r.text()).isEqualTo(status);
    assertThat(r.closed()).as("connection closed after %s", status).isTrue();
    assertThat(h.v1.connections.get() + h.v2.connections.get())
        .as("connections that reached a backend")
        .isZero();
  }

  @Test
  void wellFormedRequestReachesTheBackend() throws IOException {
    Reply r =
        send(
            "POST /a HTTP/1.1\r\nHost: reviews\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).contains("body=abc");
    assertThat(h.v1.requestCount.get() + h.v2.requestCount.get()).isEqualTo(1);
  }

  @Test
  void absoluteFormTargetIsServedInOriginFormWithItsAuthorityAsHost() throws IOException {
    Reply r =
        send(
            "GET http://reviews.shop:9080/a/b?c=d HTTP/1.1\r\nHost: other\r\n"
                + "Connection: close\r\n\r\n");
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.text()).contains("uri=/a/b?c=d").contains("h:host=reviews.shop:9080");
    Reply bare = send("GET http://reviews HTTP/1.1\r\nConnection: close\r\n\r\n");
    assertThat(bare.status()).as(bare.text()).isEqualTo(200);
    assertThat(bare.text()).contains("uri=/\n").contains("h:host=reviews\n");
  }

  @Test
  void absoluteFormWithOtherSchemesOrUserInfoIsRefused() throws IOException {
    assertRefused("GET ftp://reviews/a HTTP/1.1\r\nHost: reviews\r\n\r\n", 400);
    assertRefused("GET http://user@reviews/a HTTP/1.1\r\nHost: reviews\r\n\r\n", 400);
  }

  @Test
  void chunkedRequestReachesTheBackend() throws IOException {
    Reply r =
        send(
            "POST /a HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: chunked\r\n"
                + "Connection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.text()).contains("body=abc");
  }

  @Test
  void contentLengthWithTransferEncodingIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: reviews\r\n\r\n",
        400);
  }

  @Test
  void duplicateContentLengthIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        400);
  }

  @Test
  void conflictingContentLengthIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nContent-Length: 3\r\nContent-Length: 30\r\n\r\nabc",
        400);
  }

  @Test
  void contentLengthListIsRefused() throws IOException {
    assertRefused("POST / HTTP/1.1\r\nHost: reviews\r\nContent-Length: 3, 3\r\n\r\nabc", 400);
  }

  @Test
  void signedContentLengthIsRefused() throws IOException {
    assertRefused("POST / HTTP/1.1\r\nHost: reviews\r\nContent-Length: +3\r\n\r\nabc", 400);
  }

  @Test
  void chunkedFollowedByIdentityIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: chunked, identity\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void unknownTransferCodingIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: xchunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void transferCodingBeforeChunkedIsNotImplemented() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n",
        501);
  }

  @Test
  void duplicateTransferEncodingIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: chunked\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void transferEncodingInHttp10IsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.0\r\nHost: reviews\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void whitespaceBeforeTheColonIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding : chunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void verticalTabBeforeChunkedIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding:\u000bchunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void headerLineStartingWithSpaceIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\n Transfer-Encoding: chunked\r\n\r\n"
            + "3\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void obsFoldContinuationLineIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\r\nX-A: one\r\n\ttwo\r\n\r\n", 400);
  }

  @Test
  void nonHexChunkSizeIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void negativeChunkSizeIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: chunked\r\n\r\n-3\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void overflowingChunkSizeIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "10000000000000003\r\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void chunkSizeWithBareLfExtensionIsRefused() throws IOException {
    assertRefused(
        "POST / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "3;\nabc\r\n0\r\n\r\n",
        400);
  }

  @Test
  void bareLfLineEndingsAreRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\nHost: reviews\n\n", 400);
  }

  @Test
  void bareLfInsideTheHeaderBlockIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\nX-A: b\r\n\r\n", 400);
  }

  @Test
  void bareCrIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\rX-A: b\r\n\r\n", 400);
  }

  @Test
  void nulInHeaderValueIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\r\nX-A: a\u0000b\r\n\r\n", 400);
  }

  @Test
  void controlCharacterInHeaderValueIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\r\nX-A: a\u0001b\r\n\r\n", 400);
  }

  @Test
  void deleteCharacterInHeaderValueIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\r\nX-A: a\u007fb\r\n\r\n", 400);
  }

  @Test
  void nulInHeaderNameIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\r\nX-\u0000A: b\r\n\r\n", 400);
  }

  @Test
  void separatorInHeaderNameIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\r\nX(A): b\r\n\r\n", 400);
  }

  @Test
  void emptyHeaderNameIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\r\n: b\r\n\r\n", 400);
  }

  @Test
  void oversizedHeaderBlockIs431() throws IOException {
    assertRefused(
        "GET / HTTP/1.1\r\nHost: reviews\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n", 431);
  }

  @Test
  void tooManyHeadersIs431() throws IOException {
    StringBuilder req = new StringBuilder("GET / HTTP/1.1\r\nHost: reviews\r\n");
    for (int i = 0; i < 200; i++) {
      req.append("x").append(i).append(": v\r\n");
    }
    assertRefused(req.append("\r\n").toString(), 431);
  }

  @Test
  void tooLongRequestLineIs414() throws IOException {
    assertRefused("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: reviews\r\n\r\n", 414);
  }

  @Test
  void unknownMethodIsNotImplemented() throws IOException {
    assertRefused("BREW / HTTP/1.1\r\nHost: reviews\r\n\r\n", 501);
  }

  @Test
  void connectMethodIsNotImplemented() throws IOException {
    assertRefused("CONNECT 10.0.0.1:22 HTTP/1.1\r\nHost: 10.0.0.1:22\r\n\r\n", 501);
  }

  @Test
  void targetNotInOriginFormIsRefused() throws IOException {
    assertRefused("GET reviews/a HTTP/1.1\r\nHost: reviews\r\n\r\n", 400);
  }

  @Test
  void asteriskTargetWithGetIsRefused() throws IOException {
    assertRefused("GET * HTTP/1.1\r\nHost: reviews\r\n\r\n", 400);
  }

  @Test
  void controlCharacterInTargetIsRefused() throws IOException {
    assertRefused("GET /a\u0001b HTTP/1.1\r\nHost: reviews\r\n\r\n", 400);
  }

  @Test
  void fragmentInTargetIsRefused() throws IOException {
    assertRefused("GET /a#b HTTP/1.1\r\nHost: reviews\r\n\r\n", 400);
  }

  @Test
  void missingHostIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\n\r\n", 400);
  }

  @Test
  void duplicateHostIsRefused() throws IOException {
    assertRefused("GET / HTTP/1.1\r\nHost: reviews\r\nHost: evil\r\n\r\n", 400);
  }

  @Test
  void smuggledSecondRequestAfterRefusalNeverArrives() throws IOException {
    Reply r =
        send(
            "GET / HTTP/1.1\r\nHost: reviews\r\nTransfer-Encoding: xchunked\r\n\r\n"
                + "GET /smuggled HTTP/1.1\r\nHost: reviews\r\n\r\n");
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.text()).doesNotContain("/smuggled");
    assertThat(h.v1.received).isEmpty();
    assertThat(h.v2.received).isEmpty();
  }
}
