package dev.ambit.waypoint.route;

import dev.ambit.proto.waypoint.PathModifier;

/** The path of a URLRewrite or RequestRedirect: a full replacement or a prefix replacement. */
public final class PathRewrites {

  private PathRewrites() {}

  /**
   * @param path the request path (no query)
   * @param matchedPrefix the PathPrefix that matched the request; "" when none did
   */
  public static String apply(PathModifier m, String path, String matchedPrefix) {
    if (m.getType() == PathModifier.Type.REPLACE_FULL_PATH) {
      return m.getValue().isEmpty() ? "/" : m.getValue();
    }
    String prefix = matchedPrefix.equals("/") ? "" : matchedPrefix;
    if (!path.startsWith(prefix)) {
      return path;
    }
    String rest = path.substring(prefix.length());
    String replacement = trimTrailingSlash(m.getValue());
    String result = replacement + rest;
    if (result.isEmpty()) {
      return "/";
    }
    return result.startsWith("/") ? result : "/" + result;
  }

  private static String trimTrailingSlash(String s) {
    String out = s;
    while (out.endsWith("/")) {
      out = out.substring(0, out.length() - 1);
    }
    return out;
  }
}
