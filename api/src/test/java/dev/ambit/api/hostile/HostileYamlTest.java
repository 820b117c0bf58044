package dev.ambit.api.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import dev.ambit.api.schema.YamlLoader;
import org.junit.jupiter.api.Test;

/**
 * Config that attacks the reader rather than the mesh: alias bombs, deep nesting, huge documents.
 * Each is refused with an error naming the file and the line, before it costs memory or stack.
 */
class HostileYamlTest {

  private static String refusal(String yaml) {
    ConfigException e =
        catchThrowableOfType(ConfigException.class, () -> ConfigReader.read("bomb.yaml", yaml));
    assertThat(e).as("refused").isNotNull();
    return e.getMessage();
  }

  @Test
  void billionLaughsAliasBombIsRefused() {
    StringBuilder y = new StringBuilder("apiVersion: v1\nkind: Namespace\nmetadata: {name: lol}\n");
    y.append("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; c++) {
      y.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) {
        y.append(i == 0 ? "" : ",").append('*').append(prev);
      }
      y.append("]\n");
      prev = c;
    }
    assertThat(refusal(y.toString()))
        .contains("bomb.yaml:5:")
        .contains("YAML aliases (*a) are not supported");
  }

  @Test
  void aliasIsRefusedInsteadOfReadAsItsName() {
    String yaml =
        """
        apiVersion: v1
        kind: Namespace
        metadata:
          name: &n shop
          labels:
            team: *n
        """;
    assertThat(refusal(yaml)).contains("bomb.yaml:6:").contains("aliases (*n)");
  }

  @Test
  void deeplyNestedFlowSequencesAreRefused() {
    int depth = 200_000;
    assertThat(refusal("[".repeat(depth) + "]".repeat(depth)))
        .contains("bomb.yaml:1:")
        .contains("nesting depth");
  }

  @Test
  void deeplyNestedFlowMappingsAreRefused() {
    int depth = 100_000;
    assertThat(refusal("{a: ".repeat(depth) + "1" + "}".repeat(depth)))
        .contains("bomb.yaml:1:")
        .contains("nesting depth");
  }

  @Test
  void deeplyNestedBlockMappingsAreRefused() {
    StringBuilder y = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      y.append(" ".repeat(i)).append("a:\n");
    }
    assertThat(refusal(y.toString())).contains("nesting depth");
  }

  @Test
  void hugeDocumentIsRefusedAtTheLimit() {
    String yaml =
        "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n  annotations:\n    x: \""
            + "x".repeat(2 * YamlLoader.MAX_DOCUMENT_CHARS)
            + "\"\n";
    assertThat(refusal(yaml)).contains("bomb.yaml:6:").contains("exceeds the limit");
  }
}
