package dev.ambit.api;

import dev.ambit.api.core.PodStatus;
import dev.ambit.api.gateway.BackendObjectReference;
import dev.ambit.api.gateway.FilterType;
import dev.ambit.api.gateway.HttpBackendRef;
import dev.ambit.api.gateway.HttpPathMatch;
import dev.ambit.api.gateway.HttpPathModifier;
import dev.ambit.api.gateway.HttpRouteFilter;
import dev.ambit.api.gateway.ParentReference;
import dev.ambit.api.gateway.PathMatchType;
import dev.ambit.api.gateway.PathModifierType;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.CheckKeys;
import dev.ambit.api.schema.Required;
import dev.ambit.api.schema.Rule;
import dev.ambit.api.schema.SelfCheck;
import dev.ambit.api.security.Condition;
import dev.ambit.api.security.PolicyTargetReference;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Generates random valid resources of every kind, covering every field of the model (found by
 * reflection, so new fields are covered automatically), with strings chosen to stress YAML and JSON
 * quoting. Records with cross-field rules are regenerated until their rules pass.
 */
final class RandomResources {

  /** Strings that YAML may misread if written without quotes, plus odd characters. */
  private static final List<String> NASTY =
      List.of(
          "true",
          "False",
          "null",
          "~",
          "yes",
          "No",
          "on",
          "off",
          "y",
          "123",
          "-7",
          "0x1F",
          "0o17",
          "1e3",
          ".inf",
          "-.NaN",
          "1_000",
          "12:30:00",
          "2024-01-01",
          "- item",
          "key: value",
          "#comment",
          "a #b",
          "'single'",
          "\"double\"",
          "multi\nline",
          "trailing\n",
          " lead",
          "trail ",
          "tab\tin",
          "ünïcödé ✓",
          "*",
          "&anchor",
          "*alias",
          "!tag",
          "%percent",
          "@at",
          "`tick`",
          "{}",
          "[]",
          "{a: 1}",
          "[1, 2]",
          "|",
          ">",
          "?",
          ":",
          "---",
          "...",
          "=",
          "<<",
          "\\back\\slash",
          "bell\u0007",
          "");

  private final Random random;

  RandomResources(Random random) {
    this.random = random;
  }

  Resource<?> resource() {
    Kind kind = pick(List.of(Kind.values()));
    String version = pick(kind.servedApiVersions());
    ObjectMeta meta =
        new ObjectMeta(
            kind == Kind.SERVICE || kind == Kind.NAMESPACE ? dnsLabel() : dnsSubdomain(),
            kind.namespaced() ? dnsLabel() : null,
            map(Rule.LABEL_KEY, Rule.LABEL_VALUE),
            map(Rule.LABEL_KEY, null),
            chance() ? string() : null,
            chance() ? Integer.toString(random.nextInt(1_000_000)) : null,
            chance() ? (long) random.nextInt(1000) : null,
            chance() ? Instant.ofEpochSecond(random.nextLong(4_000_000_000L)) : null);
    Spec spec = (Spec) record(kind.specType());
    Status status = kind == Kind.POD && chance() ? (PodStatus) record(PodStatus.class) : null;
    return new Resource<>(version, meta, spec, status, SourceLocation.NONE);
  }

  private Object record(Class<?> type) {
    for (int attempt = 0; attempt < 1000; attempt++) {
      Object candidate = special(type);
      if (candidate == null) {
        candidate = generic(type);
      }
      if (candidate instanceof SelfCheck check && !passes(check)) {
        continue;
      }
      return candidate;
    }
    throw new IllegalStateException("cannot generate a valid " + type);
  }

  private Object generic(Class<?> type) {
    return generic(type, Map.of());
  }

  /** A record with random fields, except those named in {@code fixed}. */
  private Object generic(Class<?> type, Map<String, List<String>> fixed) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      types[i] = components[i].getType();
      List<String> choices = fixed.get(components[i].getName());
      args[i] = choices == null ? component(components[i]) : pick(choices);
    }
    try {
      return type.getDeclaredConstructor(types).newInstance(args);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }

  private Object component(RecordComponent component) {
    boolean required = component.isAnnotationPresent(Required.class);
    if (!required && random.nextInt(3) == 0) {
      return null;
    }
    Check check = component.getAnnotation(Check.class);
    CheckKeys keys = component.getAnnotation(CheckKeys.class);
    Rule rule = check == null ? null : check.value()[0];
    Rule keyRule = keys == null ? null : keys.value()[0];
    return value(component.getGenericType(), rule, keyRule, required);
  }

  private Object value(Type type, Rule rule, Rule keyRule, boolean required) {
    if (type instanceof ParameterizedType p) {
      Type[] args = p.getActualTypeArguments();
      if (p.getRawType().equals(List.class)) {
        int size = random.nextInt(required ? 1 : 0, 4);
        List<Object> list = new ArrayList<>();
        for (int i = 0; i < size; i++) {
          list.add(value(args[0], rule, null, false));
        }
        return list;
      }
      Map<String, Object> map = new LinkedHashMap<>();
      int size = random.nextInt(required ? 1 : 0, 4);
      for (int i = 0; i < size; i++) {
        map.put(keyRule == null ? string() : text(keyRule), value(args[1], rule, null, false));
      }
      return map;
    }
    Class<?> c = (Class<?>) type;
    if (c.equals(String.class)) {
      return rule == null ? (required ? nonEmptyString() : string()) : text(rule);
    }
    if (c.equals(Integer.class)) {
      return rule == null ? random.nextInt() : number(rule);
    }
    if (c.equals(IntOrString.class)) {
      return random.nextBoolean()
          ? IntOrString.of(random.nextInt(1, 65536))
          : IntOrString.of(dnsLabel());
    }
    if (c.equals(Duration.class)) {
      return Duration.ofMillis(random.nextLong(0, 99_999L * 3_600_000L));
    }
    if (c.isEnum()) {
      return pick(List.of(c.getEnumConstants()));
    }
    if (c.isRecord()) {
      return record(c);
    }
    throw new IllegalStateException("no generator for " + type);
  }

  /** Generators for records whose fields depend on each other. */
  private Object special(Class<?> type) {
    if (type.equals(PolicyTargetReference.class)) {
      return random.nextBoolean()
          ? generic(type, Map.of("group", List.of(""), "kind", List.of("Service")))
          : generic(
              type,
              Map.of("group", List.of("gateway.networking.k8s.io"), "kind", List.of("Gateway")));
    }
    if (type.equals(ParentReference.class)) {
      return random.nextBoolean()
          ? generic(type, Map.of("group", List.of(""), "kind", List.of("Service")))
          : generic(
              type,
              Map.of("group", nullable("gateway.networking.k8s.io"), "kind", nullable("Gateway")));
    }
    if (type.equals(HttpBackendRef.class) || type.equals(BackendObjectReference.class)) {
      return generic(type, Map.of("group", nullable(""), "kind", nullable("Service")));
    }
    if (type.equals(HttpRouteFilter.class)) {
      FilterType filterType = pick(List.of(FilterType.values()));
      Object[] settings = new Object[5];
      int index = filterType.ordinal();
      Class<?> settingsType = HttpRouteFilter.class.getRecordComponents()[index + 1].getType();
      settings[index] = record(settingsType);
      return new HttpRouteFilter(
          filterType,
          (dev.ambit.api.gateway.HttpHeaderFilter) settings[0],
          (dev.ambit.api.gateway.HttpHeaderFilter) settings[1],
          (dev.ambit.api.gateway.HttpRequestRedirectFilter) settings[2],
          (dev.ambit.api.gateway.HttpUrlRewriteFilter) settings[3],
          (dev.ambit.api.gateway.HttpRequestMirrorFilter) settings[4]);
    }
    if (type.equals(HttpPathModifier.class)) {
      PathModifierType modifier = pick(List.of(PathModifierType.values()));
      return modifier == PathModifierType.ReplaceFullPath
          ? new HttpPathModifier(modifier, text(Rule.HTTP_PATH), null)
          : new HttpPathModifier(modifier, null, text(Rule.HTTP_PATH));
    }
    if (type.equals(HttpPathMatch.class)) {
      PathMatchType match = random.nextInt(4) == 0 ? null : pick(List.of(PathMatchType.values()));
      String value =
          random.nextInt(5) == 0
              ? null
              : match == PathMatchType.RegularExpression ? "/api/v[0-9]+/.*" : text(Rule.HTTP_PATH);
      return new HttpPathMatch(match, value);
    }
    if (type.equals(Condition.class)) {
      String key =
          pick(
              List.of(
                  "source.ip",
                  "source.namespace",
                  "source.principal",
                  "destination.ip",
                  "destination.port",
                  "connection.sni",
                  "request.headers[x-user]"));
      Rule rule =
          switch (key) {
            case "source.ip", "destination.ip" -> Rule.CIDR;
            case "destination.port" -> Rule.PORT_STRING;
            default -> null;
          };
      List<String> values = new ArrayList<>();
      List<String> notValues = new ArrayList<>();
      do {
        for (int i = random.nextInt(3); i > 0; i--) {
          values.add(rule == null ? string() : text(rule));
        }
        for (int i = random.nextInt(3); i > 0; i--) {
          notValues.add(rule == null ? string() : text(rule));
        }
      } while (values.isEmpty() && notValues.isEmpty());
      return new Condition(key, values, notValues);
    }
    return null;
  }

  private String text(Rule rule) {
    return switch (rule) {
      case PORT_STRING -> Integer.toString(random.nextInt(1, 65536));
      case HTTP_METHOD ->
          pick(
              List.of(
                  "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"));
      case CIDR ->
          random.nextBoolean()
              ? ipv4() + "/" + random.nextInt(33)
              : random.nextBoolean()
                  ? ipv4()
                  : "fd00::" + Integer.toHexString(random.nextInt(65536)) + "/64";
      case IP -> ipv4();
      case CLUSTER_IP -> random.nextInt(5) == 0 ? "None" : ipv4();
      case DNS_LABEL -> dnsLabel();
      case DNS_SUBDOMAIN -> dnsSubdomain();
      case HOSTNAME -> (random.nextBoolean() ? "*." : "") + dnsSubdomain();
      case LABEL_KEY -> (random.nextBoolean() ? dnsSubdomain() + "/" : "") + "Key_" + dnsLabel();
      case LABEL_VALUE ->
          random.nextInt(5) == 0 ? "" : pick(List.of("v1", "true", "123", "A.b_c-d", "null"));
      case HEADER_NAME ->
          pick(List.of("x-user", "X-Trace-Id", "authorization", "cookie", "x_under"));
      case HTTP_PATH -> "/" + dnsLabel() + pick(List.of("", "/", "/*", "/a%20b", "?q=1"));
      case NOT_EMPTY -> nonEmptyString();
      default -> throw new IllegalStateException("no text for " + rule);
    };
  }

  private int number(Rule rule) {
    return switch (rule) {
      case PORT -> random.nextInt(1, 65536);
      case RETRY_CODE -> random.nextInt(400, 600);
      case WEIGHT -> random.nextInt(0, 1_000_001);
      case NON_NEGATIVE -> random.nextInt(0, Integer.MAX_VALUE);
      case PERCENT -> random.nextInt(0, 101);
      case REDIRECT_CODE -> random.nextBoolean() ? 301 : 302;
      default -> throw new IllegalStateException("no number for " + rule);
    };
  }

  private Map<String, String> map(Rule keyRule, Rule valueRule) {
    Map<String, String> map = new LinkedHashMap<>();
    for (int i = random.nextInt(4); i > 0; i--) {
      map.put(text(keyRule), valueRule == null ? string() : text(valueRule));
    }
    return map;
  }

  private String string() {
    return switch (random.nextInt(3)) {
      case 0 -> pick(NASTY);
      case 1 -> dnsSubdomain();
      default -> {
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(12); i > 0; i--) {
          out.appendCodePoint(
              random.nextBoolean() ? random.nextInt(0x20, 0x7f) : random.nextInt(0xa0, 0x2fff));
        }
        yield out.toString();
      }
    };
  }

  private String nonEmptyString() {
    String s;
    do {
      s = string();
    } while (s.isEmpty());
    return s;
  }

  private String dnsLabel() {
    return pick(List.of("a", "web", "reviews-v1", "x9", "ns-1", "default"))
        + (random.nextBoolean() ? "" : "-" + random.nextInt(1000));
  }

  private String dnsSubdomain() {
    return random.nextBoolean() ? dnsLabel() : dnsLabel() + "." + dnsLabel();
  }

  private String ipv4() {
    return random.nextInt(256)
        + "."
        + random.nextInt(256)
        + "."
        + random.nextInt(256)
        + "."
        + random.nextInt(256);
  }

  /** The value or null (as a one-of choice list that may pick null). */
  private static List<String> nullable(String value) {
    return java.util.Arrays.asList(value, null);
  }

  private boolean chance() {
    return random.nextBoolean();
  }

  private <T> T pick(List<T> values) {
    return values.get(random.nextInt(values.size()));
  }

  private static boolean passes(SelfCheck check) {
    AtomicBoolean ok = new AtomicBoolean(true);
    check.check((field, message) -> ok.set(false));
    return ok.get();
  }
}
