package dev.ambit.waypoint.route;

import dev.ambit.proto.waypoint.Redirect;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** RequestRedirect: answers the client with a 3xx and a Location built from the request. */
public final class Redirects {

  private Redirects() {}

  /**
   * @param host the request's Host / :authority (may carry a port)
   */
  public static String location(
      Redirect r, String scheme, String host, RouteTable.RouteDecision decision) {
    String reqHost = host == null ? "" : host;
    int colon = reqHost.lastIndexOf(':');
    boolean hasPort = colon > 0 && reqHost.indexOf(']') < colon;
    String reqHostname = hasPort ? reqHost.substring(0, colon) : reqHost;
    String reqPort = hasPort ? reqHost.substring(colon + 1) : "";

    String outScheme = r.getScheme().isEmpty() ? scheme : r.getScheme();
    String outHost = r.getHostname().isEmpty() ? reqHostname : r.getHostname();
    String outPort;
    if (r.getPort() != 0) {
      outPort = String.valueOf(r.getPort());
    } else if (r.getScheme().isEmpty()) {
      outPort = reqPort;
    } else {
      outPort = "";
    }
    if (outPort.equals(defaultPort(outScheme))) {
      outPort = "";
    }
    String path =
        r.hasPath()
            ? PathRewrites.apply(r.getPath(), decision.target().path(), decision.matchedPrefix())
            : decision.target().path();
    return outScheme
        + "://"
        + outHost
        + (outPort.isEmpty() ? "" : ":" + outPort)
        + path
        + decision.target().query();
  }

  public static FullHttpResponse response(Redirect r, String location) {
    int code = r.getStatusCode() == 0 ? 302 : r.getStatusCode();
    FullHttpResponse res =
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code));
    res.headers().set(HttpHeaderNames.LOCATION, location);
    res.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
    return res;
  }

  private static String defaultPort(String scheme) {
    return switch (scheme) {
      case "http" -> "80";
      case "https" -> "443";
      default -> "";
    };
  }
}
