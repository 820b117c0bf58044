package dev.ambit.images;

import java.util.List;

/**
 * One component image: all share the same layers and entrypoint (the {@code ambit} command) and
 * differ only in the default arguments ({@code Cmd}) and user.
 */
public record ImageSpec(String name, List<String> cmd, String user) {

  /** The component images. */
  public static final List<ImageSpec> ALL =
      List.of(
          new ImageSpec("control", List.of("control"), "1337:1337"),
          new ImageSpec("ztunnel", List.of("ztunnel"), "0:0"),
          new ImageSpec("waypoint", List.of("waypoint-proxy"), "1337:1337"),
          new ImageSpec("node-agent", List.of("cni-install"), "0:0"));

  /** The entrypoint: the runtime's java running the CLI's main class. */
  public static final List<String> ENTRYPOINT =
      List.of(
          "/opt/ambit/runtime/bin/java",
          "--enable-native-access=ALL-UNNAMED",
          "--sun-misc-unsafe-memory-access=allow",
          "-XX:+ExitOnOutOfMemoryError",
          "-cp",
          "/opt/ambit/lib/*",
          "dev.ambit.cli.Main");
}
