package dev.ambit.api;

/**
 * One problem with configuration input: where it is, which field (a path such as {@code
 * spec.rules[0].to[0].operation.methods[1]}, or {@code null} for syntax errors) and what is wrong.
 */
public record ConfigError(SourceLocation location, String field, String message) {

  /** {@code file:line: field: message}, one line, as printed by {@code ambit validate}. */
  @Override
  public String toString() {
    return field == null || field.isEmpty()
        ? location + ": " + message
        : location + ": " + field + ": " + message;
  }
}
