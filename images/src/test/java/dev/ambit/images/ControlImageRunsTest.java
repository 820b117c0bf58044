package dev.ambit.images;

import static org.assertj.core.api.Assertions.assertThat;

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
 * The control-plane image runs on its own: its layers unpacked into an empty directory, its
 * entrypoint run there with chroot (in a private mount and pid namespace with /proc mounted),
 * nothing from the host visible. Needs root.
 */
class ControlImageRunsTest {
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
    cmd.addAll(ImageSpec.ENTRYPOINT);
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
  void runtimeReportsItsVersion() throws Exception {
    assertThat(run("version")).contains("ambit 0.1.0").contains("java 25");
  }
}
