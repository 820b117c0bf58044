package dev.ambit.images;

import java.util.ArrayList;
import java.util.List;

/**
 * One component image: all share the same layers and differ in their entrypoint, default arguments
 * ({@code Cmd}) and user. Most run the {@code ambit} command with every jar; the ztunnel runs its
 * own entry point with only the jars it needs (a long-running process keeps each jar's central
 * directory in its heap).
 */
public record ImageSpec(String name, List<String> entrypoint, List<String> cmd, String user) {

  /** Where the jars are in an image. */
  public static final String LIB = "/opt/ambit/lib";

  /** The entrypoint of the CLI's images: the runtime's java running the CLI's main class. */
  public static final List<String> ENTRYPOINT = java(LIB + "/*", "dev.ambit.cli.Main");

  /** The names of the component images, in the order they are built. */
  public static final List<String> NAMES = List.of("control", "ztunnel", "waypoint", "node-agent");

  /**
   * The component images. {@code ztunnelJars}: the file names (in {@link #LIB}) of the ztunnel's
   * class path, the CLI's jar first. The ztunnel's entry point takes the arguments of {@code ambit
   * ztunnel}, with or without the word {@code ztunnel} first.
   */
  public static List<ImageSpec> all(List<String> ztunnelJars) {
    String ztunnelClassPath =
        String.join(":", ztunnelJars.stream().map(j -> LIB + "/" + j).toList());
    return List.of(
        new ImageSpec("control", ENTRYPOINT, List.of("control"), "1337:1337"),
        new ImageSpec(
            "ztunnel",
            java(ztunnelClassPath, "dev.ambit.cli.ZtunnelMain"),
            List.of("ztunnel"),
            "0:0"),
        new ImageSpec("waypoint", ENTRYPOINT, List.of("waypoint-proxy"), "1337:1337"),
        new ImageSpec("node-agent", ENTRYPOINT, List.of("cni-install"), "0:0"));
  }

  private static List<String> java(String classPath, String mainClass) {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "/opt/ambit/runtime/bin/java",
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-XX:+ExitOnOutOfMemoryError",
                "-Dio.netty.jfr.enabled=false",
                "-cp"));
    cmd.add(classPath);
    cmd.add(mainClass);
    return List.copyOf(cmd);
  }
}
