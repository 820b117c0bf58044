package dev.ambit.api.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ambit.api.ConfigError;
import dev.ambit.api.Kind;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.core.ServiceSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySourceTest {

  private static final String SERVICE =
      """
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: shop
      spec:
        ports:
        - port: 80
      """;

  @TempDir Path dir;
  private final ConfigStore store = new ConfigStore();
  private final List<List<ConfigError>> rejected = new CopyOnWriteArrayList<>();
  private DirectorySource source;

  @AfterEach
  void stop() throws Exception {
    if (source != null) {
      source.close();
    }
  }

  private int port() {
    return store
        .get(ServiceSpec.class, "shop", "web")
        .orElseThrow()
        .spec()
        .ports()
        .getFirst()
        .port();
  }

  private void start() throws Exception {
    source = new DirectorySource(dir, store, rejected::add);
    source.start();
  }

  @Test
  void appliesEditsKeepsLastGoodStateOnBrokenEditsAndDeletesRemovedFiles() throws Exception {
    Path file = dir.resolve("web.yaml");
    Files.writeString(file, SERVICE);
    start();
    assertThat(port()).isEqualTo(80);

    Files.writeString(file, SERVICE.replace("port: 80", "port: 8080"));
    await().atMost(Duration.ofSeconds(10)).until(() -> port() == 8080);

    Files.writeString(file, SERVICE.replace("port: 80", "port: eighty"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !rejected.isEmpty());
    assertThat(rejected.getLast())
        .extracting(ConfigError::toString)
        .containsExactly(
            file + ":8: spec.ports[0].port: expected an integer, got string \"eighty\"");
    assertThat(port()).isEqualTo(8080);

    Files.writeString(file, SERVICE.replace("port: 80", "port: 81"));
    await().atMost(Duration.ofSeconds(10)).until(() -> port() == 81);

    Files.delete(file);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.get(new ResourceKey(Kind.SERVICE, "shop", "web")).isEmpty());
  }

  @Test
  void picksUpFilesInNewSubdirectoriesAndLeavesOtherObjectsAlone() throws Exception {
    start();
    store.apply(
        dev.ambit.api.ConfigReader.read(
            "cli.yaml", SERVICE.replace("name: web", "name: applied-elsewhere")));

    Path sub = Files.createDirectories(dir.resolve("team/a"));
    Files.writeString(sub.resolve("web.yml"), SERVICE);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.get(new ResourceKey(Kind.SERVICE, "shop", "web")).isPresent());

    Files.writeString(sub.resolve("notes.txt"), "not configuration");
    Files.delete(sub.resolve("web.yml"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> store.get(new ResourceKey(Kind.SERVICE, "shop", "web")).isEmpty());
    assertThat(store.get(new ResourceKey(Kind.SERVICE, "shop", "applied-elsewhere"))).isPresent();
  }

  @Test
  void anObjectDefinedInTwoFilesIsRejectedAsAWhole() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), SERVICE);
    start();

    Files.writeString(dir.resolve("b.yaml"), SERVICE.replace("port: 80", "port: 90"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !rejected.isEmpty());

    assertThat(rejected.getLast())
        .extracting(ConfigError::toString)
        .containsExactly(
            dir.resolve("b.yaml")
                + ":1: metadata.name: duplicate Service shop/web (first defined at "
                + dir.resolve("a.yaml")
                + ":1)");
    assertThat(port()).isEqualTo(80);
  }
}
