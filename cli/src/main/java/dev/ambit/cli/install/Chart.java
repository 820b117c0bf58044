package dev.ambit.cli.install;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The files of a chart: Chart.yaml, values.yaml, templates/ (rendered) and crds/ (plain YAML,
 * installed first and never templated, as helm does). Loaded from a directory or from the copy of
 * deploy/helm/ambit bundled in the CLI under {@value #BUNDLED}.
 */
public record Chart(
    Map<String, Object> metadata,
    String values,
    Map<String, String> templates,
    Map<String, String> crds) {

  static final String BUNDLED = "chart/ambit";

  public String name() {
    return String.valueOf(metadata.get("name"));
  }

  /** Reads a chart directory. */
  public static Chart load(Path dir) throws IOException {
    if (!Files.isRegularFile(dir.resolve("Chart.yaml"))) {
      throw new IOException(dir + " is not a chart: it has no Chart.yaml");
    }
    Map<String, Object> metadata =
        Yaml.loadMap(Files.readString(dir.resolve("Chart.yaml")), "Chart.yaml");
    String values =
        Files.isRegularFile(dir.resolve("values.yaml"))
            ? Files.readString(dir.resolve("values.yaml"))
            : "";
    return new Chart(metadata, values, files(dir.resolve("templates")), files(dir.resolve("crds")));
  }

  /** The chart bundled in the CLI's resources. */
  public static Chart bundled() throws IOException {
    URL url = Chart.class.getClassLoader().getResource(BUNDLED + "/Chart.yaml");
    if (url == null) {
      throw new IOException("the CLI has no bundled chart (" + BUNDLED + ")");
    }
    try {
      if (url.getProtocol().equals("jar")) {
        try (FileSystem fs = FileSystems.newFileSystem(url.toURI(), Map.of())) {
          return load(fs.getPath("/" + BUNDLED));
        }
      }
      return load(Path.of(url.toURI()).getParent());
    } catch (URISyntaxException e) {
      throw new IOException("bad chart location " + url, e);
    }
  }

  private static Map<String, String> files(Path dir) throws IOException {
    Map<String, String> out = new TreeMap<>();
    if (!Files.isDirectory(dir)) {
      return out;
    }
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        out.put(p.getFileName().toString(), Files.readString(p, StandardCharsets.UTF_8));
      }
    }
    return out;
  }
}
