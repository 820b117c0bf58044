package dev.ambit.ztunnel.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void readsObjectsArraysAndScalars() {
    Object v =
        JsonReader.parse(
            " {\"type\":\"add\", \"ips\" : [\"10.0.0.1\", \"fd00::1\"], \"n\": -12, \"x\": 1.5e2,"
                + " \"ok\": true, \"no\": false, \"none\": null, \"o\": {}, \"a\": []}\n");
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("type", "add");
    expected.put("ips", List.of("10.0.0.1", "fd00::1"));
    expected.put("n", -12L);
    expected.put("x", new BigDecimal("1.5e2"));
    expected.put("ok", true);
    expected.put("no", false);
    expected.put("none", null);
    expected.put("o", Map.of());
    expected.put("a", List.of());
    assertThat(v).isEqualTo(expected);
  }

  @Test
  void readsEscapes() {
    assertThat(JsonReader.parse("\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\\u20ac\""))
        .isEqualTo("a\"b\\c/d\n\té€");
  }

  @Test
  void rejectsMalformedInputNamingTheOffset() {
    for (String bad :
        List.of(
            "",
            "{",
            "{\"a\"}",
            "{\"a\":1,}",
            "[1 2]",
            "01",
            "-",
            "1.",
            "tru",
            "\"abc",
            "\"\\x\"",
            "{} {}",
            "\"\u0001\"",
            "{a:1}")) {
      assertThatThrownBy(() -> JsonReader.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("invalid JSON at offset ");
    }
  }

  @Test
  void limitsNesting() {
    String deep = "[".repeat(10_000) + "]".repeat(10_000);
    assertThatThrownBy(() -> JsonReader.parse(deep))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nested too deeply");
  }

  @Test
  void writesCompactAndIndented() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("ok", false);
    m.put("error", "bad \"name\"\n\u0001");
    m.put("ports", Map.of(80, 8080));
    m.put("ips", List.of("10.0.0.1"));
    m.put("none", null);
    m.put("empty", List.of());
    assertThat(JsonWriter.compact(m))
        .isEqualTo(
            "{\"ok\":false,\"error\":\"bad \\\"name\\\"\\n\\u0001\",\"ports\":{\"80\":8080},"
                + "\"ips\":[\"10.0.0.1\"],\"none\":null,\"empty\":[]}");
    assertThat(JsonWriter.indented(Map.of("a", Arrays.asList(1, "b"))))
        .isEqualTo("{\n  \"a\": [\n    1,\n    \"b\"\n  ]\n}");
  }

  @Test
  void whatItWritesReadsBackTheSame() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("s", "tab\there \\ \"quoted\" \u001f é");
    m.put("n", List.of(0L, -1L, Long.MAX_VALUE, new BigDecimal("2.25")));
    m.put("nested", Map.of("x", List.of(Map.of(), true)));
    assertThat(JsonReader.parse(JsonWriter.compact(m))).isEqualTo(m);
    assertThat(JsonReader.parse(JsonWriter.indented(m))).isEqualTo(m);
  }
}
