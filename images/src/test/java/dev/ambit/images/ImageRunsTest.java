package dev.ambit.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The images run on their own: the control-plane image's layers (which every image shares) unpacked
 * into an empty directory, an image's entrypoint run there with chroot (in a private mount and pid
 * namespace with /proc mounted), nothing from the host visible. Needs root.
 */
class ImageRunsTest {
  private static Path root;

  @BeforeAll
  static void unpack() throws Exception {
    String uid =
        new String(
                new ProcessBuilder("id", "-u").start().getInputStream().readAllBytes(),
                StandardCharsets.UTF_8)
            .trim();
    assertThat(uid)
        .as("this test chroots into the unpacked image and must run as root")
        .isEqualTo("0");
    root = Files.createTempDirectory("ambit-image-");
    ImageTarball.unpack(ImageTarball.path("control"), root);
  }

  @AfterAll
  static void cleanup() throws Exception {
    if (root != null) {
      try (Stream<Path> s = Files.walk(root)) {
        for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }

  private static String run(String... args) throws Exception {
    return run(ImageSpec.ENTRYPOINT, args);
  }

  private static String run(List<String> entrypoint, String... args) throws Exception {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "unshare",
                "--mount",
                "--pid",
                "--fork",
                "--mount-proc=" + root.resolve("proc"),
                "chroot",
                root.toString()));
    cmd.addAll(entrypoint);
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    String text = new String(out, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as(text).isZero();
    return text;
  }

  @Test
  void entrypointStartsWithHelp() throws Exception {
    assertThat(Files.exists(root.resolve("usr/bin")) || Files.exists(root.resolve("bin/sh")))
        .isFalse();
    String help = run("--help");
    assertThat(help)
        .contains("Usage: ambit")
        .contains("control")
        .contains("ztunnel")
        .contains("install");
  }

  @Test
  void ztunnelEntrypointStartsTheZtunnelWithOnlyItsJars() throws Exception {
    ImageTarball t = ImageTarball.read(ImageTarball.path("ztunnel"));
    JsonNode index = t.json("index.json");
    JsonNode manifest = t.json(ImageTarball.blobName(index.at("/manifests/0/digest").asText()));
    JsonNode config = t.json(ImageTarball.blobName(manifest.at("/config/digest").asText()));
    List<String> entrypoint = new ArrayList<>();
    config.at("/config/Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    String classPath = entrypoint.get(entrypoint.indexOf("-cp") + 1);
    assertThat(classPath)
        .startsWith(ImageSpec.LIB + "/ambit-cli.jar:")
        .contains("ambit-ztunnel-", "netty-transport-native-epoll-")
        .doesNotContain("ambit-control", "kubernetes", "vertx", "*");

    assertThat(run(entrypoint, "ztunnel", "--help"))
        .contains("Usage: ztunnel")
        .contains("--pods-socket")
        .doesNotContain("Exception");
  }

  @Test
  void runtimeReportsItsVersion() throws Exception {
    assertThat(run("version")).contains("ambit 0.1.0").contains("java 25");
  }
}
