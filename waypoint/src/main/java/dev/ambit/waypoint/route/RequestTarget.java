package dev.ambit.waypoint.route;

import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;

/** A request URI split into path and query, with the query parsed only when asked for. */
public final class RequestTarget {

  private final String uri;
  private final String path;
  private Map<String, List<String>> params;

  public RequestTarget(String uri) {
    this.uri = uri;
    int q = uri.indexOf('?');
    String p = q < 0 ? uri : uri.substring(0, q);
    this.path = p.isEmpty() ? "/" : p;
  }

  public String path() {
    return path;
  }

  /** The query string including its leading '?', or "". */
  public String query() {
    int q = uri.indexOf('?');
    return q < 0 ? "" : uri.substring(q);
  }

  /** First value of a query parameter, or null. */
  public String queryParam(String name) {
    if (params == null) {
      params = new QueryStringDecoder(uri).parameters();
    }
    List<String> v = params.get(name);
    return v == null || v.isEmpty() ? null : v.get(0);
  }
}
