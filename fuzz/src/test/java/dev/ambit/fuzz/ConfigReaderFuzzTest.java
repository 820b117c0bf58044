package dev.ambit.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import java.nio.charset.StandardCharsets;

/**
 * Bytes (as UTF-8) into the config reader behind {@code ambit validate}, {@code ambit apply} and
 * the directory source: it returns resources or throws {@link ConfigException} whose errors name
 * the file; any other exception or error is a bug.
 */
class ConfigReaderFuzzTest {

  @FuzzTest(maxDuration = "60s")
  void configIsReadOrRefusedWithItsFileNamed(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    try {
      ConfigReader.read("fuzz.yaml", text);
    } catch (ConfigException e) {
      assertThat(e.errors()).isNotEmpty();
      assertThat(e.getMessage()).contains("fuzz.yaml");
    }
  }
}
