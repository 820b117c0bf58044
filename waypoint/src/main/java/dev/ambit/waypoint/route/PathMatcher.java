package dev.ambit.waypoint.route;

import dev.ambit.proto.waypoint.PathMatch;
import java.util.regex.Pattern;

/** One HTTPRoute path match, with what Gateway API precedence needs to order it. */
public sealed interface PathMatcher {

  boolean matches(String path);

  /** 0 for Exact, 1 for PathPrefix, 2 for RegularExpression: lower wins. */
  int rank();

  /** Characters in the match value: more wins within a rank. */
  int length();

  /** The prefix a ReplacePrefixMatch rewrite replaces; empty unless a prefix match. */
  default String prefix() {
    return "";
  }

  static PathMatcher of(PathMatch m) {
    String v = m.getValue().isEmpty() ? "/" : m.getValue();
    return switch (m.getType()) {
      case EXACT -> new Exact(v);
      case REGULAR_EXPRESSION -> new Regex(Pattern.compile(m.getValue()));
      case PATH_PREFIX, UNRECOGNIZED -> new Prefix(v);
    };
  }

  record Exact(String value) implements PathMatcher {
    @Override
    public boolean matches(String path) {
      return path.equals(value);
    }

    @Override
    public int rank() {
      return 0;
    }

    @Override
    public int length() {
      return value.length();
    }
  }

  /** Element-wise prefix: "/foo" matches "/foo", "/foo/" and "/foo/bar" but not "/foobar". */
  record Prefix(String value) implements PathMatcher {
    public Prefix {
      while (value.length() > 1 && value.endsWith("/")) {
        value = value.substring(0, value.length() - 1);
      }
    }

    @Override
    public boolean matches(String path) {
      if (value.equals("/")) {
        return path.startsWith("/");
      }
      return path.startsWith(value)
          && (path.length() == value.length() || path.charAt(value.length()) == '/');
    }

    @Override
    public int rank() {
      return 1;
    }

    @Override
    public int length() {
      return value.length();
    }

    @Override
    public String prefix() {
      return value;
    }
  }

  record Regex(Pattern pattern) implements PathMatcher {
    @Override
    public boolean matches(String path) {
      return pattern.matcher(path).matches();
    }

    @Override
    public int rank() {
      return 2;
    }

    @Override
    public int length() {
      return pattern.pattern().length();
    }
  }
}
