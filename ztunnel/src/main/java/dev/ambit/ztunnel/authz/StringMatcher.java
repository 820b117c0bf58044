package dev.ambit.ztunnel.authz;

import dev.ambit.proto.security.StringMatch;

/** A compiled {@link StringMatch}: exact, prefix, suffix or presence (any non-empty value). */
sealed interface StringMatcher {

  boolean matches(String value);

  /**
   * Compiles {@code match}. Principals may be written with or without the {@code spiffe://} scheme;
   * they are compared without it, so pass {@code principal = true} for those.
   */
  static StringMatcher of(StringMatch match, boolean principal) {
    return switch (match.getMatchTypeCase()) {
      case EXACT -> new Exact(strip(match.getExact(), principal));
      case PREFIX -> new Prefix(strip(match.getPrefix(), principal));
      case SUFFIX -> new Suffix(match.getSuffix());
      case PRESENCE -> new Presence();
      case MATCHTYPE_NOT_SET -> throw new IllegalArgumentException("string match without a type");
    };
  }

  private static String strip(String value, boolean principal) {
    return principal && value.startsWith("spiffe://") ? value.substring(9) : value;
  }

  record Exact(String value) implements StringMatcher {
    @Override
    public boolean matches(String v) {
      return value.equals(v);
    }
  }

  record Prefix(String prefix) implements StringMatcher {
    @Override
    public boolean matches(String v) {
      return v.startsWith(prefix);
    }
  }

  record Suffix(String suffix) implements StringMatcher {
    @Override
    public boolean matches(String v) {
      return v.endsWith(suffix);
    }
  }

  record Presence() implements StringMatcher {
    @Override
    public boolean matches(String v) {
      return !v.isEmpty();
    }
  }
}
