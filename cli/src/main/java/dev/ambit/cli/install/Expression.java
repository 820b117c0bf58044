package dev.ambit.cli.install;

import java.util.ArrayList;
import java.util.List;

/**
 * Pipelines of the template subset: {@code cmd | cmd | ...}, where a command is a function name
 * with arguments or a single operand; operands are {@code .}, field chains ({@code .Values.a.b}),
 * string literals ({@code "..."}, {@code `...`}), integers, {@code true}/{@code false}/{@code nil}
 * and parenthesised pipelines.
 */
final class Expression {
  private Expression() {}

  record Pipeline(List<Command> commands) {}

  record Command(List<Operand> operands) {}

  sealed interface Operand permits Field, Literal, Function, Nested {}

  /** {@code .} (empty path) or {@code .A.b.c}. */
  record Field(List<String> path) implements Operand {}

  record Literal(Object value) implements Operand {}

  record Function(String name) implements Operand {}

  record Nested(Pipeline pipeline) implements Operand {}

  static Pipeline parse(String text, String file, int line) {
    Parser p = new Parser(text, file, line);
    Pipeline pipeline = p.pipeline();
    p.skipSpace();
    if (!p.atEnd()) {
      throw p.error("unexpected '" + p.rest() + "'");
    }
    return pipeline;
  }

  /** A recursive-descent parser over one action's text. */
  static final class Parser {
    private final String s;
    private final String file;
    private final int line;
    private int pos;

    Parser(String s, String file, int line) {
      this.s = s;
      this.file = file;
      this.line = line;
    }

    Pipeline pipeline() {
      List<Command> commands = new ArrayList<>();
      commands.add(command());
      while (true) {
        skipSpace();
        if (!atEnd() && s.charAt(pos) == '|') {
          pos++;
          commands.add(command());
        } else {
          return new Pipeline(List.copyOf(commands));
        }
      }
    }

    private Command command() {
      List<Operand> operands = new ArrayList<>();
      while (true) {
        skipSpace();
        if (atEnd() || s.charAt(pos) == '|' || s.charAt(pos) == ')') {
          break;
        }
        operands.add(operand());
      }
      if (operands.isEmpty()) {
        throw error("missing command in pipeline");
      }
      return new Command(List.copyOf(operands));
    }

    private Operand operand() {
      char c = s.charAt(pos);
      if (c == '(') {
        pos++;
        Pipeline inner = pipeline();
        skipSpace();
        if (atEnd() || s.charAt(pos) != ')') {
          throw error("missing ')'");
        }
        pos++;
        return new Nested(inner);
      }
      if (c == '"' || c == '`') {
        return new Literal(literalString());
      }
      if (c == '.') {
        List<String> path = new ArrayList<>();
        if (pos + 1 >= s.length() || !isIdentStart(s.charAt(pos + 1))) {
          pos++;
          return new Field(List.of());
        }
        while (!atEnd() && s.charAt(pos) == '.') {
          pos++;
          path.add(identifier());
        }
        return new Field(List.copyOf(path));
      }
      if (Character.isDigit(c)
          || (c == '-' && pos + 1 < s.length() && Character.isDigit(s.charAt(pos + 1)))) {
        int start = pos++;
        while (!atEnd() && Character.isDigit(s.charAt(pos))) {
          pos++;
        }
        try {
          return new Literal(Long.parseLong(s.substring(start, pos)));
        } catch (NumberFormatException e) {
          throw error("bad number " + s.substring(start, pos));
        }
      }
      if (isIdentStart(c)) {
        String id = identifier();
        return switch (id) {
          case "true" -> new Literal(Boolean.TRUE);
          case "false" -> new Literal(Boolean.FALSE);
          case "nil" -> new Literal(null);
          default -> new Function(id);
        };
      }
      throw error("unexpected '" + c + "'");
    }

    /** A {@code "..."} (with backslash escapes) or {@code `...`} literal at the position. */
    String literalString() {
      skipSpace();
      if (atEnd() || (s.charAt(pos) != '"' && s.charAt(pos) != '`')) {
        throw error("expected a string literal");
      }
      char quote = s.charAt(pos++);
      StringBuilder out = new StringBuilder();
      while (!atEnd() && s.charAt(pos) != quote) {
        char c = s.charAt(pos++);
        if (c == '\\' && quote == '"' && !atEnd()) {
          char e = s.charAt(pos++);
          out.append(
              switch (e) {
                case 'n' -> '\n';
                case 't' -> '\t';
                default -> e;
              });
        } else {
          out.append(c);
        }
      }
      if (atEnd()) {
        throw error("unterminated string literal");
      }
      pos++;
      return out.toString();
    }

    private String identifier() {
      int start = pos;
      while (!atEnd() && (Character.isLetterOrDigit(s.charAt(pos)) || s.charAt(pos) == '_')) {
        pos++;
      }
      if (start == pos) {
        throw error("expected a name");
      }
      return s.substring(start, pos);
    }

    private static boolean isIdentStart(char c) {
      return Character.isLetter(c) || c == '_';
    }

    void skipSpace() {
      while (!atEnd() && Character.isWhitespace(s.charAt(pos))) {
        pos++;
      }
    }

    boolean atEnd() {
      return pos >= s.length();
    }

    String rest() {
      return s.substring(pos);
    }

    TemplateException error(String msg) {
      return new TemplateException(file, line, msg + " in {{ " + s + " }}");
    }
  }
}
