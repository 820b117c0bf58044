package dev.ambit.cli.install;

/** A chart template that cannot be parsed or rendered; the message names the file and line. */
public final class TemplateException extends RuntimeException {
  TemplateException(String file, int line, String message) {
    super(file + ":" + line + ": " + message);
  }
}
