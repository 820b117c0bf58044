package dev.ambit.cli;

import dev.ambit.proto.control.ConfigSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads {@code -f FILE|DIR|-} arguments into named config sources. */
final class ConfigFiles {

  private ConfigFiles() {}

  static List<ConfigSource> read(List<String> args, InputStream stdin) throws IOException {
    List<ConfigSource> out = new ArrayList<>();
    for (String arg : args) {
      if (arg.equals("-")) {
        out.add(source("-", new String(stdin.readAllBytes(), StandardCharsets.UTF_8)));
        continue;
      }
      Path path = Path.of(arg);
      if (Files.isDirectory(path)) {
        try (Stream<Path> files = Files.list(path)) {
          for (Path f : files.filter(ConfigFiles::isConfig).sorted().toList()) {
            out.add(source(f.toString(), Files.readString(f)));
          }
        }
      } else if (Files.isRegularFile(path)) {
        out.add(source(path.toString(), Files.readString(path)));
      } else {
        throw new IOException(arg + ": no such file or directory");
      }
    }
    return out;
  }

  private static boolean isConfig(Path p) {
    String n = p.getFileName().toString();
    return Files.isRegularFile(p)
        && (n.endsWith(".yaml") || n.endsWith(".yml") || n.endsWith(".json"));
  }

  private static ConfigSource source(String name, String text) {
    return ConfigSource.newBuilder().setName(name).setYaml(text).build();
  }
}
