package dev.ambit.waypoint.proxy;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.ReferenceCountUtil;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses HTTP/1.1 and HTTP/2 requests a backend could read differently than the waypoint (the
 * ground of request smuggling) or that it has no business forwarding: decoding failures (400; 431
 * for a too big header block, 414 for a too long request line), more than {@link #MAX_HEADERS}
 * headers (431), methods other than the standard ones, CONNECT included (501), targets that are not
 * in origin form (an http(s) absolute form is turned into origin form first, its authority the
 * Host) or contain control characters or a fragment (400), a missing or repeated Host (400), and
 * transfer codings other than a lone {@code chunked} (501 when chunked is last, else 400). A
 * refused request is answered and the connection closed; nothing of it goes further.
 */
final class RequestGuard extends ChannelInboundHandlerAdapter {

  private static final Logger LOG = LoggerFactory.getLogger(RequestGuard.class);

  static final int MAX_HEADERS = 100;
  private static final Set<String> METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE");

  private static final java.util.regex.Pattern AUTHORITY =
      java.util.regex.Pattern.compile(
          "[A-Za-z0-9._~%!$&'()*+,;=-]+(:[0-9]{1,5})?|\\[[0-9A-Fa-f:.]+\\](:[0-9]{1,5})?");

  private final boolean http2;
  private boolean refused;

  RequestGuard(Protocol protocol) {
    this.http2 = protocol == Protocol.HTTP2;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (refused) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpRequest req) {
      int status = verdict(req, http2);
      if (status != 0) {
        refused = true;
        LOG.debug(
            "refusing {} request from {} with {}: {} {}",
            http2 ? "HTTP/2" : "HTTP/1.1",
            ctx.channel().remoteAddress(),
            status,
            req.method(),
            req.uri());
        ReferenceCountUtil.release(msg);
        ctx.channel().config().setAutoRead(false);
        FullHttpResponse res = LocalReplies.of(status, "request refused by the waypoint");
        res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
        return;
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** 0 to let the request through, else the status to answer with. */
  static int verdict(HttpRequest req, boolean http2) {
    if (!http2 && !req.decoderResult().isFailure() && !toOriginForm(req)) {
      return 400;
    }
    if (req.decoderResult().isFailure()) {
      Throwable cause = req.decoderResult().cause();
      if (cause instanceof TooLongHttpHeaderException) {
        return 431;
      }
      if (cause instanceof TooLongHttpLineException) {
        return 414;
      }
      return cause instanceof TooLongFrameException ? 431 : 400;
    }
    if (!METHODS.contains(req.method().name())) {
      return 501;
    }
    if (!validTarget(req.method().name(), req.uri())) {
      return 400;
    }
    if (req.headers().size() > MAX_HEADERS) {
      return 431;
    }
    if (http2) {
      return 0;
    }
    if (!req.protocolVersion().equals(HttpVersion.HTTP_1_1)
        && !req.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
      return 505; // "HTTP/3.1", "HTTP/1.2"...: never forwarded under a version we do not speak
    }
    int hosts = req.headers().getAll(HttpHeaderNames.HOST).size();
    if (hosts > 1 || (hosts == 0 && req.protocolVersion().equals(HttpVersion.HTTP_1_1))) {
      return 400;
    }
    return transferCodingVerdict(req);
  }

  /**
   * RFC 9112 section 3.2.2: a server accepts the absolute form of a request target ({@code GET
   * http://reviews:9080/a?b HTTP/1.1}); its authority replaces any Host header and the request goes
   * on in origin form ({@code /a?b}). False for an absolute form that is not http(s) or carries
   * user information or odd characters in its authority. Other targets are left alone.
   */
  static boolean toOriginForm(HttpRequest req) {
    String uri = req.uri();
    int sep = uri.indexOf("://");
    if (uri.startsWith("/") || uri.equals("*") || sep < 0) {
      return true;
    }
    String scheme = uri.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      return false;
    }
    int start = sep + 3;
    int end = start;
    while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
      end++;
    }
    String authority = uri.substring(start, end);
    if (!AUTHORITY.matcher(authority).matches()) {
      return false;
    }
    String rest = uri.substring(end);
    req.setUri(rest.startsWith("/") ? rest : "/" + rest);
    req.headers().remove(HttpHeaderNames.HOST);
    req.headers().set(HttpHeaderNames.HOST, authority);
    return true;
  }

  private static boolean validTarget(String method, String uri) {
    if (uri.equals("*")) {
      return method.equals("OPTIONS");
    }
    if (!uri.startsWith("/")) {
      return false;
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= 0x20 || c >= 0x7f || c == '#') {
        return false;
      }
    }
    return true;
  }

  private static int transferCodingVerdict(HttpRequest req) {
    List<String> te = req.headers().getAll(HttpHeaderNames.TRANSFER_ENCODING);
    if (te.isEmpty()) {
      return 0;
    }
    if (req.headers().contains(HttpHeaderNames.CONTENT_LENGTH)
        || !req.protocolVersion().equals(HttpVersion.HTTP_1_1)
        || te.size() > 1) {
      return 400;
    }
    String[] codings = te.getFirst().toLowerCase(Locale.ROOT).split(",");
    if (!codings[codings.length - 1].strip().equals("chunked")) {
      return 400;
    }
    return codings.length == 1 ? 0 : 501;
  }
}
