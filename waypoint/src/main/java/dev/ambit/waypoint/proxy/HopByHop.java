package dev.ambit.waypoint.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/** Headers that belong to one connection and never cross the proxy. */
final class HopByHop {

  private HopByHop() {}

  static void strip(HttpHeaders h) {
    List<String> listed = new ArrayList<>();
    for (String v : h.getAll(HttpHeaderNames.CONNECTION)) {
      for (String name : v.split(",")) {
        listed.add(name.trim());
      }
    }
    listed.forEach(h::remove);
    h.remove(HttpHeaderNames.CONNECTION);
    h.remove(HttpHeaderNames.KEEP_ALIVE);
    h.remove("proxy-connection");
    h.remove(HttpHeaderNames.UPGRADE);
    h.remove(HttpHeaderNames.TRANSFER_ENCODING);
    h.remove(HttpHeaderNames.PROXY_AUTHENTICATE);
    h.remove(HttpHeaderNames.PROXY_AUTHORIZATION);
    String te = h.get(HttpHeaderNames.TE);
    if (te != null && !te.trim().equalsIgnoreCase("trailers")) {
      h.remove(HttpHeaderNames.TE);
    }
  }

  /** The HTTP/2 codec's extension headers (x-http2-*), meaningless on HTTP/1.1. */
  static void stripHttp2Extensions(HttpHeaders h) {
    List<String> names = new ArrayList<>();
    for (var e : h) {
      if (e.getKey().regionMatches(true, 0, "x-http2-", 0, 8)) {
        names.add(e.getKey());
      }
    }
    names.forEach(h::remove);
  }
}
