package dev.ambit.cli.install;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * A parsed chart template in the subset of Go's text/template syntax that charts of this project
 * use (documented in the chart's README): text, {@code {{ pipeline }}} actions with {@code {{-}}
 * and {@code -}}} whitespace trimming, comments, {@code if}/{@code else}/{@code else if}/{@code
 * end} and {@code define}. Anything else ({@code range}, {@code with}, variables) is refused with
 * the file and line, so a chart cannot silently render differently here than with helm.
 */
final class Template {

  /** A node of the template tree. */
  sealed interface Node permits Text, Action, If {}

  record Text(String text) implements Node {}

  record Action(Expression.Pipeline pipeline, String file, int line) implements Node {}

  record If(
      Expression.Pipeline condition, List<Node> then, List<Node> otherwise, String file, int line)
      implements Node {}

  private final String file;
  private final List<Node> body;

  private Template(String file, List<Node> body) {
    this.file = file;
    this.body = body;
  }

  String file() {
    return file;
  }

  List<Node> body() {
    return body;
  }

  /** Parses {@code text}; each {@code define} block is added to {@code defines}. */
  static Template parse(String file, String text, Map<String, Template> defines) {
    List<Token> tokens = lex(file, text);
    Deque<Frame> stack = new ArrayDeque<>();
    Frame root = new Frame(Frame.Kind.ROOT, null, null, 1, false);
    stack.push(root);
    for (Token t : tokens) {
      Frame top = stack.peek();
      if (t.text != null) {
        if (!t.text.isEmpty()) {
          top.current().add(new Text(t.text));
        }
        continue;
      }
      String a = t.action;
      String keyword = a.split("\\s+", 2)[0];
      String rest = a.substring(keyword.length()).trim();
      switch (keyword) {
        case "if" ->
            stack.push(new Frame(Frame.Kind.IF, condition(file, t, rest), null, t.line, false));
        case "else" -> {
          if (top.kind != Frame.Kind.IF || top.inElse) {
            throw new TemplateException(file, t.line, "unexpected {{else}}");
          }
          top.inElse = true;
          if (rest.startsWith("if ") || rest.equals("if")) {
            String cond = rest.substring(2).trim();
            stack.push(new Frame(Frame.Kind.IF, condition(file, t, cond), null, t.line, true));
          } else if (!rest.isEmpty()) {
            throw new TemplateException(file, t.line, "unsupported {{else " + rest + "}}");
          }
        }
        case "end" -> {
          if (top.kind == Frame.Kind.ROOT) {
            throw new TemplateException(file, t.line, "unexpected {{end}}");
          }
          Frame closed;
          do {
            closed = stack.pop();
            Node node = closed.toNode(file);
            if (closed.kind == Frame.Kind.DEFINE) {
              defines.put(closed.name, new Template(file, closed.then));
            } else {
              stack.peek().current().add(node);
            }
          } while (closed.chained);
        }
        case "define" -> {
          if (top.kind != Frame.Kind.ROOT) {
            throw new TemplateException(file, t.line, "{{define}} must be at the top level");
          }
          Object name = new Expression.Parser(rest, file, t.line).literalString();
          stack.push(new Frame(Frame.Kind.DEFINE, null, (String) name, t.line, false));
        }
        case "range", "with", "template", "block", "break", "continue" ->
            throw new TemplateException(
                file, t.line, "{{" + keyword + "}} is not in the supported template subset");
        default -> {
          if (a.startsWith("$")) {
            throw new TemplateException(file, t.line, "variables are not in the supported subset");
          }
          top.current().add(new Action(Expression.parse(a, file, t.line), file, t.line));
        }
      }
    }
    if (stack.size() != 1) {
      Frame open = stack.peek();
      throw new TemplateException(file, open.line, "unclosed {{" + open.kind.word + "}}");
    }
    return new Template(file, root.then);
  }

  private static Expression.Pipeline condition(String file, Token t, String expr) {
    if (expr.isEmpty()) {
      throw new TemplateException(file, t.line, "{{if}} without a condition");
    }
    return Expression.parse(expr, file, t.line);
  }

  /** An open block while parsing. */
  private static final class Frame {
    enum Kind {
      ROOT("root"),
      IF("if"),
      DEFINE("define");

      final String word;

      Kind(String word) {
        this.word = word;
      }
    }

    final Kind kind;
    final Expression.Pipeline condition;
    final String name;
    final int line;
    final boolean chained;
    final List<Node> then = new ArrayList<>();
    final List<Node> otherwise = new ArrayList<>();
    boolean inElse;

    Frame(Kind kind, Expression.Pipeline condition, String name, int line, boolean chained) {
      this.kind = kind;
      this.condition = condition;
      this.name = name;
      this.line = line;
      this.chained = chained;
    }

    List<Node> current() {
      return inElse ? otherwise : then;
    }

    Node toNode(String file) {
      return new If(condition, List.copyOf(then), List.copyOf(otherwise), file, line);
    }
  }

  /** Either literal text or the inside of an action (trimmed, comments removed). */
  private record Token(String text, String action, int line) {}

  private static List<Token> lex(String file, String src) {
    List<Token> out = new ArrayList<>();
    int pos = 0;
    int line = 1;
    boolean trimNext = false;
    while (pos < src.length()) {
      int open = src.indexOf("{{", pos);
      String text = open < 0 ? src.substring(pos) : src.substring(pos, open);
      if (trimNext) {
        text = text.stripLeading();
      }
      if (open < 0) {
        out.add(new Token(text, null, line));
        break;
      }
      boolean trimLeft = src.startsWith("{{- ", open) || src.startsWith("{{-\n", open);
      if (trimLeft) {
        text = text.stripTrailing();
      }
      out.add(new Token(text, null, line));
      line += count(src, pos, open);
      int start = open + (trimLeft ? 3 : 2);
      int close = findClose(src, start, file, line);
      boolean trimRight =
          close - 2 >= start
              && src.charAt(close - 1) == '-'
              && Character.isWhitespace(src.charAt(close - 2));
      String inside = src.substring(start, trimRight ? close - 1 : close).trim();
      if (!(inside.startsWith("/*") && inside.endsWith("*/"))) {
        if (inside.isEmpty()) {
          throw new TemplateException(file, line, "empty action {{ }}");
        }
        out.add(new Token(null, inside, line));
      }
      line += count(src, open, close);
      pos = close + 2;
      trimNext = trimRight;
    }
    return out;
  }

  /** Index of the {@code }}} closing the action starting at {@code from}, skipping literals. */
  private static int findClose(String src, int from, String file, int line) {
    char quote = 0;
    for (int i = from; i < src.length(); i++) {
      char c = src.charAt(i);
      if (quote != 0) {
        if (c == '\\' && quote == '"') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '"' || c == '`') {
        quote = c;
      } else if (c == '}' && i + 1 < src.length() && src.charAt(i + 1) == '}') {
        return i;
      }
    }
    throw new TemplateException(file, line, "unclosed action {{");
  }

  private static int count(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      if (s.charAt(i) == '\n') {
        n++;
      }
    }
    return n;
  }
}
