package dev.ambit.node.images;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The built-in images: a pod whose container image is {@code ambit/<name>} runs {@code ambit image
 * <name>} inside its network namespace.
 */
public final class Images {
  public static final String IMAGE_PREFIX = "ambit/";
  public static final List<String> NAMES = List.of("echo", "tcp-echo", "curl");

  private Images() {}

  /** The built-in image name of a container image reference, if it is one ("ambit/echo:1"). */
  public static Optional<String> builtIn(String image) {
    if (image == null || !image.startsWith(IMAGE_PREFIX)) {
      return Optional.empty();
    }
    String name = image.substring(IMAGE_PREFIX.length());
    int tag = name.indexOf(':');
    if (tag >= 0) {
      name = name.substring(0, tag);
    }
    return NAMES.contains(name) ? Optional.of(name) : Optional.empty();
  }

  public static int defaultPort(String name) {
    return switch (name) {
      case "echo" -> 8080;
      case "tcp-echo" -> 9000;
      default -> 0;
    };
  }

  /**
   * Runs an image in the foreground until the process is stopped. The port comes from {@code port}
   * when given, else env PORT, else the image's default.
   */
  public static void run(String name, Integer port, Map<String, String> env)
      throws InterruptedException {
    int p =
        port != null
            ? port
            : Optional.ofNullable(env.get("PORT")).map(Integer::parseInt).orElse(defaultPort(name));
    InetSocketAddress bind = new InetSocketAddress(p);
    switch (name) {
      case "echo" -> {
        try (EchoServer s = EchoServer.start(bind, PodInfo.fromEnvironment(env))) {
          s.channel().closeFuture().sync();
        }
      }
      case "tcp-echo" -> {
        try (TcpEchoServer s = TcpEchoServer.start(bind)) {
          s.channel().closeFuture().sync();
        }
      }
      case "curl" -> new java.util.concurrent.CountDownLatch(1).await();
      default -> throw new IllegalArgumentException("unknown image " + name + "; known: " + NAMES);
    }
  }
}
