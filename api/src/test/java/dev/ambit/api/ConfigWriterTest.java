package dev.ambit.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigWriterTest {

  /** YAML line breaks beyond JSON's (NEL, LS, PS) after a space survive a JSON round trip. */
  @Test
  void jsonKeepsTheSpaceBeforeYamlOnlyLineBreaks() throws Exception {
    String yaml =
        """
        apiVersion: v1
        kind: Service
        metadata:
          name: web
          namespace: shop
          annotations:
            note: "a \\u2028b \\u2029c \\x85d"
        spec:
          selector:
            app: web
          ports:
          - port: 80
        """;
    List<Resource<?>> read = ConfigReader.read("web.yaml", yaml);
    assertThat(read.getFirst().metadata().annotations())
        .containsEntry("note", "a \u2028b \u2029c \u0085d");

    String json = ConfigWriter.toJson(read.getFirst());

    assertThat(json).contains("a \\u2028b \\u2029c \\u0085d");
    assertThat(ConfigReader.read("web.json", json)).isEqualTo(read);
  }
}
