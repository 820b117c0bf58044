package dev.ambit.api;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * "Lossless" as properties over generated objects of every kind: writing in any served version
 * (YAML or JSON) and reading back gives the same object, and conversion between versions is
 * reversible.
 */
class RoundTripPropertiesTest {

  @Provide
  Arbitrary<Resource<?>> resources() {
    return Arbitraries.randomValue(random -> new RandomResources(random).resource());
  }

  @Property(tries = 200)
  void generatedObjectsAreValid(@ForAll("resources") Resource<?> resource) {
    assertThat(Validation.validate(resource)).isEmpty();
  }

  @Property(tries = 400)
  void yamlRoundTripInEveryServedVersion(@ForAll("resources") Resource<?> resource)
      throws ConfigException {
    for (String version : resource.kind().servedApiVersions()) {
      String yaml = ConfigWriter.toYaml(resource, version);
      assertThat(ConfigReader.read("gen.yaml", yaml))
          .as(yaml)
          .containsExactly(resource.toVersion(version));
    }
  }

  @Property(tries = 300)
  void jsonRoundTripInEveryServedVersion(@ForAll("resources") Resource<?> resource)
      throws ConfigException {
    for (String version : resource.kind().servedApiVersions()) {
      String json = ConfigWriter.toJson(resource, version);
      assertThat(ConfigReader.read("gen.json", json))
          .as(json)
          .containsExactly(resource.toVersion(version));
    }
  }

  @Property(tries = 300)
  void conversionThroughAnyVersionAndBackIsLossless(@ForAll("resources") Resource<?> resource)
      throws ConfigException {
    String original = ConfigWriter.toYaml(resource);
    for (String version : resource.kind().servedApiVersions()) {
      Resource<?> converted =
          ConfigReader.read("v.yaml", ConfigWriter.toYaml(resource, version)).getFirst();
      Resource<?> back = converted.toVersion(resource.apiVersion());
      assertThat(back).isEqualTo(resource);
      assertThat(ConfigWriter.toYaml(back)).isEqualTo(original);
    }
  }

  @Property(tries = 150)
  void multiDocumentStreamsKeepOrderAndLines(
      @ForAll("resources") Resource<?> first, @ForAll("resources") Resource<?> second)
      throws ConfigException {
    Resource<?> renamed =
        second.withMetadata(second.metadata().withAnnotations(second.metadata().annotations()));
    String yaml = ConfigWriter.toYaml(java.util.List.of(first, renamed));
    if (first.key().equals(renamed.key())) {
      return;
    }
    var read = ConfigReader.read("multi.yaml", yaml);
    assertThat(read).containsExactly(first, renamed);
    assertThat(read.get(0).source().line()).isEqualTo(1);
    // YAML counts U+2028 and U+2029 as line breaks, too.
    int secondLine =
        (int)
                ConfigWriter.toYaml(first)
                    .chars()
                    .filter(c -> c == '\n' || c == 0x2028 || c == 0x2029)
                    .count()
            + 2;
    assertThat(read.get(1).source().line()).isEqualTo(secondLine);
  }
}
