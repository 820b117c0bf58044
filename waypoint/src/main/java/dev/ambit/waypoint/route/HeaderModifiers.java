package dev.ambit.waypoint.route;

import dev.ambit.proto.waypoint.Header;
import dev.ambit.proto.waypoint.HeaderModifier;
import io.netty.handler.codec.http.HttpHeaders;

/** RequestHeaderModifier and ResponseHeaderModifier: set, then add, then remove. */
public final class HeaderModifiers {

  private HeaderModifiers() {}

  public static void apply(HeaderModifier m, HttpHeaders headers) {
    for (Header h : m.getSetList()) {
      headers.set(h.getName(), h.getValue());
    }
    for (Header h : m.getAddList()) {
      headers.add(h.getName(), h.getValue());
    }
    for (String name : m.getRemoveList()) {
      headers.remove(name);
    }
  }
}
