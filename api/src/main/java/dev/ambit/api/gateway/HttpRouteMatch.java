package dev.ambit.api.gateway;

import dev.ambit.api.Values;
import java.util.List;

/** A request match: path, headers, query parameters and method must all match. */
public record HttpRouteMatch(
    HttpPathMatch path,
    List<HttpHeaderMatch> headers,
    List<HttpQueryParamMatch> queryParams,
    HttpMethod method) {

  public HttpRouteMatch {
    headers = Values.list(headers);
    queryParams = Values.list(queryParams);
  }
}
