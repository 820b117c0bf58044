package dev.ambit.cli.install;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Executes parsed templates against a context (Go's "dot"), with the functions of the supported
 * subset: {@code include}, {@code toYaml}, {@code indent}, {@code nindent}, {@code quote}, {@code
 * default}, {@code eq}, {@code ne}, {@code not}. As with helm, a missing value prints as nothing
 * and is false; reading a field of a missing value is an error.
 */
final class TemplateEngine {
  private final Map<String, Template> defines;

  TemplateEngine(Map<String, Template> defines) {
    this.defines = defines;
  }

  String render(Template template, Object dot) {
    StringBuilder out = new StringBuilder();
    render(template.body(), dot, out);
    return out.toString();
  }

  private void render(List<Template.Node> nodes, Object dot, StringBuilder out) {
    for (Template.Node node : nodes) {
      switch (node) {
        case Template.Text t -> out.append(t.text());
        case Template.Action a -> out.append(print(eval(a.pipeline(), dot, a.file(), a.line()), a));
        case Template.If i -> {
          boolean yes = truthy(eval(i.condition(), dot, i.file(), i.line()));
          render(yes ? i.then() : i.otherwise(), dot, out);
        }
      }
    }
  }

  private static String print(Object v, Template.Action a) {
    if (v == null) {
      return "";
    }
    if (v instanceof Map<?, ?> || v instanceof Collection<?>) {
      throw new TemplateException(
          a.file(), a.line(), "a map or list cannot be printed directly; use toYaml");
    }
    return String.valueOf(v);
  }

  private Object eval(Expression.Pipeline p, Object dot, String file, int line) {
    Object piped = null;
    boolean first = true;
    for (Expression.Command c : p.commands()) {
      piped = command(c, dot, file, line, first ? List.of() : singletonNullable(piped));
      first = false;
    }
    return piped;
  }

  private static List<Object> singletonNullable(Object v) {
    List<Object> l = new ArrayList<>(1);
    l.add(v);
    return l;
  }

  private Object command(
      Expression.Command c, Object dot, String file, int line, List<Object> piped) {
    Expression.Operand head = c.operands().getFirst();
    if (head instanceof Expression.Function f) {
      List<Object> args = new ArrayList<>();
      for (Expression.Operand o : c.operands().subList(1, c.operands().size())) {
        args.add(operand(o, dot, file, line));
      }
      args.addAll(piped);
      return call(f.name(), args, file, line);
    }
    if (c.operands().size() > 1 || !piped.isEmpty()) {
      throw new TemplateException(file, line, "a value cannot take arguments");
    }
    return operand(head, dot, file, line);
  }

  private Object operand(Expression.Operand o, Object dot, String file, int line) {
    return switch (o) {
      case Expression.Literal l -> l.value();
      case Expression.Nested n -> eval(n.pipeline(), dot, file, line);
      case Expression.Function f -> call(f.name(), List.of(), file, line);
      case Expression.Field f -> field(dot, f.path(), file, line);
    };
  }

  private static Object field(Object dot, List<String> path, String file, int line) {
    Object v = dot;
    StringBuilder seen = new StringBuilder();
    for (String name : path) {
      if (v == null) {
        throw new TemplateException(file, line, "nil pointer evaluating " + seen + "." + name);
      }
      if (!(v instanceof Map<?, ?> m)) {
        throw new TemplateException(file, line, seen + " is not a map; cannot read ." + name);
      }
      v = m.get(name);
      seen.append('.').append(name);
    }
    return v;
  }

  private Object call(String name, List<Object> args, String file, int line) {
    return switch (name) {
      case "include" -> {
        arity(name, args, 2, file, line);
        String def = String.valueOf(args.get(0));
        Template t = defines.get(def);
        if (t == null) {
          throw new TemplateException(file, line, "no template \"" + def + "\" is defined");
        }
        yield render(t, args.get(1));
      }
      case "toYaml" -> {
        arity(name, args, 1, file, line);
        yield Yaml.dump(args.get(0));
      }
      case "indent", "nindent" -> {
        arity(name, args, 2, file, line);
        String pad = " ".repeat(Math.toIntExact(number(args.get(0), name, file, line)));
        String text = String.valueOf(Objects.requireNonNullElse(args.get(1), ""));
        String indented = pad + text.replace("\n", "\n" + pad);
        yield name.equals("nindent") ? "\n" + indented : indented;
      }
      case "quote" -> {
        List<String> quoted = new ArrayList<>();
        for (Object a : args) {
          if (a != null) {
            quoted.add(quote(String.valueOf(a)));
          }
        }
        yield String.join(" ", quoted);
      }
      case "default" -> {
        arity(name, args, 2, file, line);
        yield truthy(args.get(1)) ? args.get(1) : args.get(0);
      }
      case "eq", "ne" -> {
        arity(name, args, 2, file, line);
        boolean eq = Objects.equals(normal(args.get(0)), normal(args.get(1)));
        yield name.equals("eq") == eq;
      }
      case "not" -> {
        arity(name, args, 1, file, line);
        yield !truthy(args.get(0));
      }
      default ->
          throw new TemplateException(
              file, line, "function \"" + name + "\" is not in the supported subset");
    };
  }

  private static Object normal(Object v) {
    return v instanceof Number n ? (Object) n.longValue() : v;
  }

  private static long number(Object v, String fn, String file, int line) {
    if (v instanceof Number n) {
      return n.longValue();
    }
    throw new TemplateException(file, line, fn + " needs a number, got " + v);
  }

  private static void arity(String fn, List<Object> args, int n, String file, int line) {
    if (args.size() != n) {
      throw new TemplateException(
          file, line, fn + " takes " + n + " arguments, got " + args.size());
    }
  }

  /** Go's strconv.Quote for the printable ASCII and common escapes. */
  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\t' -> out.append("\\t");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }

  /** Go template truth: false, 0, nil and empty strings, maps and lists are false. */
  static boolean truthy(Object v) {
    return switch (v) {
      case null -> false;
      case Boolean b -> b;
      case Number n -> n.doubleValue() != 0;
      case String s -> !s.isEmpty();
      case Map<?, ?> m -> !m.isEmpty();
      case Collection<?> c -> !c.isEmpty();
      default -> true;
    };
  }
}
