package dev.ambit.api.gateway;

import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Rule;
import java.util.List;

/** Request or response header changes: set (replace), add (append), remove. */
public record HttpHeaderFilter(
    List<HttpHeader> set, List<HttpHeader> add, @Check(Rule.HEADER_NAME) List<String> remove) {

  public HttpHeaderFilter {
    set = Values.list(set);
    add = Values.list(add);
    remove = Values.list(remove);
  }
}
