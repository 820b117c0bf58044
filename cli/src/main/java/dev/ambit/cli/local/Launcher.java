package dev.ambit.cli.local;

import java.util.ArrayList;
import java.util.List;

/**
 * The command line that starts another {@code ambit} process with this one's JVM and classpath, so
 * the children of {@code ambit up} start fast without a rebuild.
 */
public final class Launcher {
  private Launcher() {}

  /** Small JVM settings for the built-in images: many of them share a laptop. */
  private static final List<String> SMALL =
      List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xmx96m", "-Xss512k");

  /**
   * JVM settings of the long-running proxies (ztunnels, waypoints): their heap holds the mesh state
   * and per-connection or per-request records, while connection buffers live off-heap; a small heap
   * with the serial collector keeps an idle proxy's footprint small. The C2 compiler's work memory,
   * freed after compiling but kept by malloc (~20 MiB), is returned to the system every few
   * seconds; compact object headers shrink the heap. Netty's allocator would switch to its
   * low-memory mode for a heap this small, in which every buffer above ~17 KiB (each 64 KiB socket
   * read, each TLS record unwrapped) is a fresh zeroed direct allocation: 30% of a bulk transfer's
   * CPU; pooling them stays on.
   */
  private static final List<String> PROXY =
      List.of(
          "-XX:+UseSerialGC",
          "-Xmx256m",
          "-Xss512k",
          "-XX:TrimNativeHeapInterval=5000",
          "-XX:+UseCompactObjectHeaders",
          "-XX:MaxDirectMemorySize=256m",
          "-Dio.netty.allocator.lowMemory=false");

  /**
   * A ztunnel's settings on top of {@link #PROXY}: a heap that starts tiny and is returned to the
   * system when it empties, a smaller code cache. (C1 alone saves another ~9 MiB; in bench/run its
   * added latency and requests per second were worse.) gRPC (xDS and the CA, a few small messages)
   * uses Netty's allocator instead of its own pool, whose arenas kept ~5 MiB of direct memory in an
   * idle ztunnel.
   */
  private static final List<String> ZTUNNEL =
      with(
          PROXY,
          "-Xms8m",
          "-Xmn8m",
          "-XX:MinHeapFreeRatio=10",
          "-XX:MaxHeapFreeRatio=30",
          "-XX:ReservedCodeCacheSize=64m",
          "-Dio.grpc.netty.useCustomAllocator=false");

  /**
   * Every component: Netty looks for the flight recorder to emit its own events, which initialises
   * the recorder (~115 classes and its module) in every process, recording or not.
   */
  private static final List<String> ALL = List.of("-Dio.netty.jfr.enabled=false");

  /**
   * The environment a ztunnel starts with: two malloc arenas (native TLS allocates from every event
   * loop thread; an arena per thread wastes memory the JVM does not see) and a fixed mmap
   * threshold, so the large off-heap buffers of a burst of bulk traffic go back to the system once
   * freed instead of staying in a grown arena.
   */
  private static final List<String> ZTUNNEL_ENV =
      List.of("env", "MALLOC_ARENA_MAX=2", "MALLOC_MMAP_THRESHOLD_=131072");

  /**
   * Extra JVM options for ztunnel processes, after the defaults (so they win), split on white
   * space: for tuning or profiling a ztunnel without a rebuild.
   */
  static final String ZTUNNEL_OPTIONS_ENV = "AMBIT_ZTUNNEL_JAVA_OPTIONS";

  /**
   * A waypoint's settings on top of {@link #PROXY}: a young generation sized for the garbage of its
   * requests (header maps, futures, the access-log line; short-lived, collected cheaply by the
   * serial collector), instead of the JVM's default of G1 and a quarter of the machine's memory.
   */
  private static final List<String> WAYPOINT = with(PROXY, "-Xms48m", "-Xmn32m");

  /** Extra JVM options for waypoint processes, after the defaults, as for ztunnels. */
  static final String WAYPOINT_OPTIONS_ENV = "AMBIT_WAYPOINT_JAVA_OPTIONS";

  static final String MAIN = "dev.ambit.cli.Main";

  /**
   * A ztunnel starts without the other commands' classes (see {@code ZtunnelMain}) and without
   * their jars ({@link ZtunnelClassPath}).
   */
  static final String ZTUNNEL_MAIN = "dev.ambit.cli.ZtunnelMain";

  public static List<String> ambit(String... args) {
    if (args.length > 0 && args[0].equals("ztunnel")) {
      List<String> cmd = new ArrayList<>(ZTUNNEL_ENV);
      cmd.addAll(
          command(
              withExtra(ZTUNNEL, ZTUNNEL_OPTIONS_ENV),
              ZtunnelClassPath.current(),
              ZTUNNEL_MAIN,
              List.of(args).subList(1, args.length)));
      return cmd;
    }
    if (args.length > 0 && args[0].equals("waypoint-proxy")) {
      return command(withExtra(WAYPOINT, WAYPOINT_OPTIONS_ENV), MAIN, List.of(args));
    }
    return command(List.of(), MAIN, List.of(args));
  }

  private static List<String> with(List<String> base, String... more) {
    List<String> all = new ArrayList<>(base);
    all.addAll(List.of(more));
    return List.copyOf(all);
  }

  /** {@code defaults}, then the options in the environment variable {@code env}, if any. */
  private static List<String> withExtra(List<String> defaults, String env) {
    List<String> options = new ArrayList<>(defaults);
    String extra = System.getenv(env);
    if (extra != null && !extra.isBlank()) {
      options.addAll(List.of(extra.strip().split("\\s+")));
    }
    return options;
  }

  /** As {@link #ambit}, for small processes (the built-in images of pods). */
  public static List<String> ambitSmall(String... args) {
    return command(SMALL, MAIN, List.of(args));
  }

  private static List<String> command(List<String> jvmOptions, String main, List<String> args) {
    return command(jvmOptions, System.getProperty("java.class.path"), main, args);
  }

  private static List<String> command(
      List<String> jvmOptions, String classPath, String main, List<String> args) {
    String java = System.getenv("AMBIT_JAVA");
    if (java == null || java.isBlank()) {
      java = ProcessHandle.current().info().command().orElse("java");
    }
    List<String> cmd = new ArrayList<>();
    cmd.add(java);
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("--sun-misc-unsafe-memory-access=allow");
    cmd.addAll(ALL);
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classPath);
    cmd.add(main);
    cmd.addAll(args);
    return cmd;
  }
}
