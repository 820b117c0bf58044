package dev.ambit.cli.install;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TemplateEngineTest {

  private static String render(String text, Map<String, Object> values) {
    Map<String, Template> defines = new HashMap<>();
    Template t = Template.parse("t.yaml", text, defines);
    return new TemplateEngine(defines).render(t, Map.of("Values", values));
  }

  @Test
  void valuesAndTrimmingAndConditionals() {
    String text =
        """
        a: {{ .Values.x.y }}
        {{- if .Values.on }}
        b: yes
        {{- else if .Values.other }}
        b: other
        {{- else }}
        b: no
        {{- end }}
        c: {{ .Values.missing | default "dflt" | quote }}
        """;
    Map<String, Object> on = Map.of("x", Map.of("y", 3), "on", true);
    assertThat(render(text, on)).isEqualTo("a: 3\nb: yes\nc: \"dflt\"\n");
    Map<String, Object> other = Map.of("x", Map.of("y", "s"), "on", false, "other", "z");
    assertThat(render(text, other)).isEqualTo("a: s\nb: other\nc: \"dflt\"\n");
    Map<String, Object> none = Map.of("x", Map.of("y", "s"), "missing", "given");
    assertThat(render(text, none)).isEqualTo("a: s\nb: no\nc: \"given\"\n");
  }

  @Test
  void toYamlNindentAndInclude() {
    String text =
        """
        {{- define "labels" -}}
        app: {{ .Values.app }}
        {{- end }}
        metadata:
          labels:
            {{- include "labels" . | nindent 4 }}
        spec:
          {{- toYaml .Values.spec | nindent 2 }}
        """;
    Map<String, Object> values =
        Map.of("app", "demo", "spec", Map.of("z", 1, "a", List.of(Map.of("k", "true"))));
    // As in Go, the newline after {{- end }} stays: defines print nothing, the text around them
    // does.
    assertThat(render(text, values))
        .isEqualTo(
            """

            metadata:
              labels:
                app: demo
            spec:
              a:
              - k: 'true'
              z: 1
            """);
  }

  @Test
  void errorsNameFileAndLine() {
    assertThatThrownBy(() -> render("a\n{{ range .Values.l }}x{{ end }}", Map.of()))
        .isInstanceOf(TemplateException.class)
        .hasMessage("t.yaml:2: {{range}} is not in the supported template subset");
    assertThatThrownBy(() -> render("a: {{ .Values.no.such }}", Map.of()))
        .hasMessage("t.yaml:1: nil pointer evaluating .Values.no.such");
    assertThatThrownBy(() -> render("{{ if .Values.a }}x", Map.of()))
        .hasMessage("t.yaml:1: unclosed {{if}}");
    assertThatThrownBy(() -> render("{{ .Values | lower }}", Map.of()))
        .hasMessage("t.yaml:1: function \"lower\" is not in the supported subset");
    assertThatThrownBy(() -> render("{{ .Values }}", Map.of("a", 1)))
        .hasMessage("t.yaml:1: a map or list cannot be printed directly; use toYaml");
  }

  @Test
  void setAssignmentsAreTypedLikeHelm() {
    Map<String, Object> values = new HashMap<>(Map.of("a", new HashMap<>(Map.of("b", 1))));
    Values.set(values, "a.c=true,a.d=12,e.f=text,g=null");
    assertThat(values)
        .containsEntry("a", Map.of("b", 1, "c", true, "d", 12L))
        .containsEntry("e", Map.of("f", "text"))
        .containsKey("g");
    assertThat(values.get("g")).isNull();
  }
}
