package dev.ambit.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds the component images as OCI tarballs, {@code <output>/<name>-linux-<arch>.oci.tar}, from
 * one set of four layers: system libraries, a jlink'ed runtime, the dependency jars, the Ambit
 * jars. The layers are written once; each image adds only its config and manifest.
 *
 * <p>Arguments: {@code --app JAR --lib DIR --output DIR --modules M1,M2 --repository R --tag T}.
 */
public final class BuildImages {
  private static final Logger log = LoggerFactory.getLogger(BuildImages.class);

  /** The ztunnel's class path list in the CLI's jar (written by the cli module's build). */
  static final String ZTUNNEL_CLASSPATH = "dev/ambit/cli/local/ztunnel.classpath";

  /** Native-library jars of other platforms, left out of a linux image. */
  private static final Pattern OTHER_PLATFORM =
      Pattern.compile(".*-(osx|windows)-.*\\.jar|.*-linux-(?!%s).*\\.jar");

  /** Where the build put what. */
  public record Result(List<Layer> layers, Map<String, Path> images) {}

  private BuildImages() {}

  public static void main(String[] args) throws IOException {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      a.put(args[i], args[i + 1]);
    }
    for (String required :
        List.of("--app", "--lib", "--output", "--modules", "--repository", "--tag")) {
      if (!a.containsKey(required)) {
        throw new IllegalArgumentException("missing " + required + " in " + Arrays.toString(args));
      }
    }
    build(
        Path.of(a.get("--app")),
        Path.of(a.get("--lib")),
        Path.of(a.get("--output")),
        List.of(a.get("--modules").split(",")),
        a.get("--repository"),
        a.get("--tag"));
  }

  /** The architecture name (OCI/Go style) of the JDK running the build. */
  static String architecture() {
    String arch = System.getProperty("os.arch");
    return switch (arch) {
      case "amd64", "x86_64" -> "amd64";
      case "aarch64", "arm64" -> "arm64";
      default -> throw new IllegalStateException("unsupported build architecture " + arch);
    };
  }

  public static Result build(
      Path app, Path lib, Path output, List<String> modules, String repository, String tag)
      throws IOException {
    if (!Files.isRegularFile(app) || !Files.isDirectory(lib)) {
      throw new IOException(
          "build the cli module first: missing " + (Files.isRegularFile(app) ? lib : app));
    }
    String arch = architecture();
    String nativeArch = arch.equals("amd64") ? "x86_64" : "aarch_64";
    Pattern otherPlatform = Pattern.compile(String.format(OTHER_PLATFORM.pattern(), nativeArch));
    long start = System.nanoTime();
    Path work = output.resolve("work");
    deleteTree(work);
    Files.createDirectories(work.resolve("native"));

    Path runtime = work.resolve("runtime");
    RuntimeLinker.link(modules, runtime);
    long linked = System.nanoTime();

    List<Path> jars;
    try (Stream<Path> s = Files.list(lib)) {
      jars =
          s.filter(p -> p.toString().endsWith(".jar"))
              .filter(p -> !otherPlatform.matcher(p.getFileName().toString()).matches())
              .sorted()
              .toList();
    }
    List<Path> dependencies = new ArrayList<>();
    List<Path> ambit = new ArrayList<>(List.of(app));
    for (Path j : jars) {
      (j.getFileName().toString().startsWith("ambit-") ? ambit : dependencies).add(j);
    }
    Set<String> system = NativeLibraries.needed(runtime, jars, work.resolve("native"));

    Path blobs = output.resolve("layers");
    deleteTree(blobs);
    Files.createDirectories(blobs);
    List<Layer> layers = new ArrayList<>();
    layers.add(base(system).write("base", blobs.resolve("base.tar.gz")));
    layers.add(
        new LayerWriter()
            .tree("opt/ambit/runtime", runtime)
            .write("runtime", blobs.resolve("runtime.tar.gz")));
    layers.add(jarLayer(dependencies).write("dependencies", blobs.resolve("dependencies.tar.gz")));
    layers.add(jarLayer(ambit).write("ambit", blobs.resolve("ambit.tar.gz")));
    long layered = System.nanoTime();

    List<String> ztunnelJars = ztunnelJars(app, jars, otherPlatform);
    Map<String, Path> images = new java.util.LinkedHashMap<>();
    for (ImageSpec image : ImageSpec.all(ztunnelJars)) {
      Path tarball = output.resolve(image.name() + "-linux-" + arch + ".oci.tar");
      OciArchive.write(tarball, image, layers, repository, tag, arch);
      images.put(image.name(), tarball);
    }
    long done = System.nanoTime();
    deleteTree(work);
    for (Layer l : layers) {
      log.info("layer {}: {} MB compressed ({})", l.name(), mb(l.size()), l.digest());
    }
    for (Map.Entry<String, Path> e : images.entrySet()) {
      log.info("image {}: {} ({} MB)", e.getKey(), e.getValue(), mb(Files.size(e.getValue())));
    }
    log.info(
        "images built in {} ms: jlink {} ms, layers {} ms, {} image tarballs {} ms",
        ms(done - start),
        ms(linked - start),
        ms(layered - linked),
        images.size(),
        ms(done - layered));
    return new Result(List.copyOf(layers), images);
  }

  /**
   * The ztunnel's class path in the image: the CLI's jar and the jars the cli module's build listed
   * for a ztunnel (a resource in the CLI's jar), without other platforms' native libraries.
   */
  static List<String> ztunnelJars(Path app, List<Path> jars, Pattern otherPlatform)
      throws IOException {
    String list;
    try (ZipFile zip = new ZipFile(app.toFile())) {
      ZipEntry entry = zip.getEntry(ZTUNNEL_CLASSPATH);
      if (entry == null) {
        throw new IOException(
            app + " has no " + ZTUNNEL_CLASSPATH + ": build the cli module again (package)");
      }
      try (InputStream in = zip.getInputStream(entry)) {
        list = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
    Set<String> present = new HashSet<>();
    jars.forEach(j -> present.add(j.getFileName().toString()));
    List<String> out = new ArrayList<>(List.of(app.getFileName().toString()));
    for (String listed : list.strip().split("[:\\s]+")) {
      String name = Path.of(listed).getFileName().toString();
      if (otherPlatform.matcher(name).matches()) {
        continue;
      }
      if (!present.contains(name)) {
        throw new IOException(
            "the ztunnel's class path names " + name + ", which is not in the CLI's libraries");
      }
      out.add(name);
    }
    return List.copyOf(out);
  }

  private static LayerWriter base(Set<String> systemLibraries) throws IOException {
    LayerWriter w = new LayerWriter();
    for (String lib : systemLibraries) {
      // Stored as regular files under the name the loader looks for (no host symlinks).
      w.file(lib, Path.of(lib).toRealPath());
    }
    w.file(
        "etc/passwd",
        "root:x:0:0:root:/root:/sbin/nologin\nambit:x:1337:1337:ambit:/var/lib/ambit:/sbin/nologin\n",
        0644);
    w.file("etc/group", "root:x:0:\nambit:x:1337:\n", 0644);
    w.file("etc/nsswitch.conf", "hosts: files dns\n", 0644);
    w.directory("tmp", 01777, 0);
    w.directory("var/lib/ambit", 0755, 1337);
    w.directory("proc", 0555, 0);
    w.directory("dev", 0755, 0);
    w.directory("sys", 0555, 0);
    return w;
  }

  private static LayerWriter jarLayer(List<Path> jars) {
    LayerWriter w = new LayerWriter();
    for (Path j : jars) {
      w.file("opt/ambit/lib/" + j.getFileName(), j);
    }
    return w;
  }

  private static String mb(long bytes) {
    return String.format("%.1f", bytes / 1e6);
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
