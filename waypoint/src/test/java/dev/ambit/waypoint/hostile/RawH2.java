package dev.ambit.waypoint.hostile;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A deliberately misbehaving HTTP/2 client over a plain socket: writes raw frames (header blocks
 * encoded with Netty's HPACK encoder) and reads what the server answers until GOAWAY or EOF.
 */
final class RawH2 implements AutoCloseable {

  static final int DATA = 0;
  static final int HEADERS = 1;
  static final int RST_STREAM = 3;
  static final int SETTINGS = 4;
  static final int PING = 6;
  static final int GOAWAY = 7;
  static final int CONTINUATION = 9;
  static final int END_STREAM = 1;
  static final int END_HEADERS = 4;

  /**
   * What the server did: its GOAWAY error code (or -1 when none arrived), streams reset, responses
   * started, whether it closed the connection, and whether it did so before the client finished
   * writing (it stopped reading: the client's writes failed).
   */
  record Outcome(
      long goAwayError, int resets, int responses, int status, boolean closed, boolean cutOff) {}

  private final Socket socket;
  private final OutputStream out;
  private final DefaultHttp2HeadersEncoder hpack = new DefaultHttp2HeadersEncoder();
  private final DataInputStream in;

  RawH2(InetSocketAddress to) throws IOException {
    socket = new Socket();
    // a client that reads nothing while it floods: the server's answers pile up on its side
    socket.setReceiveBufferSize(4096);
    socket.connect(to, 2000);
    out = new BufferedOutputStream(socket.getOutputStream(), 65536);
    out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    frame(SETTINGS, 0, 0, new byte[0]);
    in = new DataInputStream(socket.getInputStream());
  }

  void frame(int type, int flags, int stream, byte[] payload) throws IOException {
    byte[] f = new byte[9 + payload.length];
    f[0] = (byte) (payload.length >>> 16);
    f[1] = (byte) (payload.length >>> 8);
    f[2] = (byte) payload.length;
    f[3] = (byte) type;
    f[4] = (byte) flags;
    f[5] = (byte) (stream >>> 24 & 0x7f);
    f[6] = (byte) (stream >>> 16);
    f[7] = (byte) (stream >>> 8);
    f[8] = (byte) stream;
    System.arraycopy(payload, 0, f, 9, payload.length);
    out.write(f);
  }

  static Http2Headers get(String path) {
    return new DefaultHttp2Headers()
        .method("GET")
        .scheme("http")
        .path(path)
        .authority("reviews.shop.svc.cluster.local");
  }

  byte[] block(Http2Headers headers) {
    ByteBuf buf = Unpooled.buffer();
    try {
      hpack.encodeHeaders(1, headers, buf);
      return ByteBufUtil.getBytes(buf);
    } catch (Http2Exception e) {
      throw new IllegalStateException(e);
    } finally {
      buf.release();
    }
  }

  /**
   * Sends frames from {@code flood} without reading until it is done (then half-closes) or the
   * server stops reading (a write fails), then reads the server's verdict.
   */
  Outcome flood(Flood flood) throws IOException {
    return send(flood, true);
  }

  /** Sends {@code request} and reads until the first answer on a stream, GOAWAY or close. */
  Outcome exchange(Flood request) throws IOException {
    return send(request, false);
  }

  private Outcome send(Flood frames, boolean halfClose) throws IOException {
    boolean cutOff = false;
    try {
      frames.send(this);
      out.flush();
      if (halfClose) {
        socket.shutdownOutput();
      }
    } catch (IOException closedByServer) {
      cutOff = true;
    }
    socket.setSoTimeout(10_000);
    return read(cutOff, !halfClose);
  }

  interface Flood {
    void send(RawH2 c) throws IOException;
  }

  private Outcome read(boolean cutOff, boolean untilAnswer) {
    long goAway = -1;
    int resets = 0;
    int responses = 0;
    int status = -1;
    try {
      while (true) {
        byte[] head = new byte[9];
        in.readFully(head);
        int len = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | (head[2] & 0xff);
        byte[] payload = new byte[len];
        in.readFully(payload);
        switch (head[3]) {
          case RST_STREAM -> resets++;
          case HEADERS -> {
            if (responses++ == 0) {
              status = statusOf(payload);
            }
          }
          case GOAWAY ->
              goAway =
                  (payload[4] & 0xffL) << 24
                      | (payload[5] & 0xff) << 16
                      | (payload[6] & 0xff) << 8
                      | (payload[7] & 0xff);
          default -> {}
        }
        if (untilAnswer && resets + responses > 0) {
          return new Outcome(goAway, resets, responses, status, false, cutOff);
        }
        if (goAway >= 0) {
          return new Outcome(goAway, resets, responses, status, drained(in), cutOff);
        }
      }
    } catch (SocketTimeoutException stillOpen) {
      return new Outcome(goAway, resets, responses, status, false, cutOff);
    } catch (IOException eofOrReset) {
      return new Outcome(goAway, resets, responses, status, true, cutOff);
    }
  }

  private static int statusOf(byte[] block) throws IOException {
    ByteBuf buf = Unpooled.wrappedBuffer(block);
    try {
      CharSequence s = new DefaultHttp2HeadersDecoder(false).decodeHeaders(1, buf).status();
      return s == null ? -1 : Integer.parseInt(s.toString());
    } catch (Http2Exception e) {
      throw new IOException("undecodable response headers", e);
    }
  }

  /** Reads on until the server closes; true when it does. */
  private static boolean drained(DataInputStream in) {
    byte[] sink = new byte[65536];
    try {
      while (in.read(sink) >= 0) {
        // discard whatever follows the GOAWAY
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
