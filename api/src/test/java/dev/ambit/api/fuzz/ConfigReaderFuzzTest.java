package dev.ambit.api.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tag;

/**
 * Property-based generation (jqwik, not coverage-guided): YAML-like text and mutated valid
 * manifests fed to the config reader. Whatever the input, the reader returns resources or throws
 * {@link ConfigException} with errors naming the file; anything else is a bug. Runs with {@code
 * -Pfuzz}.
 */
@Tag("fuzz")
class ConfigReaderFuzzTest {

  private static final String ALPHABET =
      "abcdefghijklmnopqrstuvwxyz0123456789:-[]{}&*!|>'\"#%@`,?.\\ \t\n\r\u0000\u00e9\ufeff";
  private static final List<String> TOKENS =
      List.of(
          "\n",
          ": ",
          "- ",
          "---\n",
          "...\n",
          "&a ",
          "*a",
          "!!str ",
          "!!binary ",
          "{",
          "}",
          "[",
          "]",
          "'",
          "\"",
          "|\n",
          ">-\n",
          "? ",
          "<<: *a\n",
          "  ",
          "\t",
          "%YAML 1.2\n",
          "0x1F",
          "1e999",
          "-.inf",
          "~",
          "null",
          "apiVersion: v1\n",
          "kind: Service\n");

  @Property(tries = 3000)
  void yamlLikeTextIsReadOrRefusedCleanly(@ForAll("yamlLike") String text) {
    readOrRefuse(text);
  }

  @Property(tries = 3000)
  void mutatedManifestsAreReadOrRefusedCleanly(@ForAll("mutated") String text) {
    readOrRefuse(text);
  }

  private static void readOrRefuse(String text) {
    try {
      ConfigReader.read("fuzz.yaml", text);
    } catch (ConfigException e) {
      assertThat(e.errors()).isNotEmpty();
      assertThat(e.getMessage()).contains("fuzz.yaml");
    }
  }

  @Provide
  Arbitrary<String> yamlLike() {
    Arbitrary<String> chars = Arbitraries.strings().withChars(ALPHABET).ofMaxLength(200);
    Arbitrary<String> tokens = Arbitraries.of(TOKENS);
    return Arbitraries.oneOf(chars, tokens).list().ofMaxSize(40).map(l -> String.join("", l));
  }

  @Provide
  Arbitrary<String> mutated() {
    Arbitrary<String> manifest = Arbitraries.of(manifests());
    Arbitrary<String> insert =
        Arbitraries.oneOf(
            Arbitraries.of(TOKENS), Arbitraries.strings().withChars(ALPHABET).ofLength(1));
    Arbitrary<List<Edit>> edits =
        Combinators.combine(
                Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(0, 8), insert)
            .as(Edit::new)
            .list()
            .ofMinSize(1)
            .ofMaxSize(6);
    return Combinators.combine(manifest, edits).as(ConfigReaderFuzzTest::apply);
  }

  /** At a relative position: drop {@code drop} characters, then insert {@code text}. */
  private record Edit(double at, int drop, String text) {}

  private static String apply(String manifest, List<Edit> edits) {
    StringBuilder s = new StringBuilder(manifest);
    for (Edit e : edits) {
      int at = (int) (e.at() * s.length());
      s.delete(at, Math.min(s.length(), at + e.drop()));
      s.insert(at, e.text());
    }
    return s.toString();
  }

  private static List<String> manifests() {
    try (var files = Files.list(Path.of("src", "test", "resources", "good"))) {
      return files.sorted().map(ConfigReaderFuzzTest::read).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
