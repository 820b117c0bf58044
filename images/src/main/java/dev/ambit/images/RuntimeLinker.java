package dev.ambit.images;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.spi.ToolProvider;

/**
 * Links a Java runtime of the given modules with the jlink of the JDK running the build (from its
 * jmods, or from the run-time image itself when the JDK ships none). The runtime is for the build
 * JDK's own platform: another platform needs that platform's jmods on the module path.
 */
final class RuntimeLinker {
  private RuntimeLinker() {}

  static void link(List<String> modules, Path output) throws IOException {
    ToolProvider jlink =
        ToolProvider.findFirst("jlink")
            .orElseThrow(() -> new IOException("this JDK has no jlink (module jdk.jlink)"));
    StringWriter log = new StringWriter();
    PrintWriter pw = new PrintWriter(log);
    int rc =
        jlink.run(
            pw,
            pw,
            "--add-modules",
            String.join(",", modules),
            "--strip-debug",
            "--no-header-files",
            "--no-man-pages",
            // Stored, not compressed: the layer's gzip compresses it better and faster.
            "--compress=zip-0",
            "--output",
            output.toString());
    if (rc != 0) {
      throw new IOException("jlink failed (exit " + rc + "): " + log);
    }
  }
}
