package dev.ambit.ztunnel.admin;

import java.util.List;
import java.util.Map;

/** One path of an {@link HttpServer}; runs off the event loop, so it may block briefly. */
@FunctionalInterface
public interface HttpEndpoint {

  /**
   * @param method the request method, upper case
   * @param query decoded query parameters
   */
  HttpResponse handle(String method, Map<String, List<String>> query) throws Exception;
}
