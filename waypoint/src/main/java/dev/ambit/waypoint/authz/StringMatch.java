package dev.ambit.waypoint.authz;

/** AuthorizationPolicy string values: exact, "prefix*", "*suffix", or "*" (any non-empty). */
final class StringMatch {

  private StringMatch() {}

  static boolean matches(String pattern, String value, boolean ignoreCase) {
    if (value == null) {
      return false;
    }
    if (pattern.equals("*")) {
      return !value.isEmpty();
    }
    if (pattern.endsWith("*")) {
      String p = pattern.substring(0, pattern.length() - 1);
      return ignoreCase ? value.regionMatches(true, 0, p, 0, p.length()) : value.startsWith(p);
    }
    if (pattern.startsWith("*")) {
      String s = pattern.substring(1);
      int off = value.length() - s.length();
      return off >= 0 && value.regionMatches(ignoreCase, off, s, 0, s.length());
    }
    return ignoreCase ? pattern.equalsIgnoreCase(value) : pattern.equals(value);
  }

  static boolean any(Iterable<String> patterns, String value, boolean ignoreCase) {
    for (String p : patterns) {
      if (matches(p, value, ignoreCase)) {
        return true;
      }
    }
    return false;
  }
}
