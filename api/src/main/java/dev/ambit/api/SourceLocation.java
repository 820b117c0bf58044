package dev.ambit.api;

/**
 * Where a resource (or a field of it) was read from: a file name as the user gave it (or {@code
 * "-"} for standard input) and a 1-based line. Objects built in code have {@link #NONE}.
 */
public record SourceLocation(String file, int line) {

  /** The location of objects that were not read from a file. */
  public static final SourceLocation NONE = new SourceLocation("<api>", 0);

  /** {@code file:line}, the prefix of every error message. */
  @Override
  public String toString() {
    return file + ":" + line;
  }
}
