package dev.ambit.cli.local;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The class path a ztunnel starts with: the CLI's own classes and only the jars the build listed
 * for it ({@value #LIST}, written by the cli module's build), taken from this process's class path.
 * Every jar on a class path keeps its central directory in a long-running process's heap; the CLI
 * has about 120, a ztunnel needs about 50. Without the list (a build that did not write it) or when
 * a listed jar is not on this class path, the ztunnel gets the whole class path, and says why.
 */
final class ZtunnelClassPath {
  private static final Logger log = LoggerFactory.getLogger(ZtunnelClassPath.class);

  /** The list's resource name, next to this class: jar file names separated by ':'. */
  static final String LIST = "ztunnel.classpath";

  private ZtunnelClassPath() {}

  /** The class path for a ztunnel started by this process. */
  static String current() {
    String classPath = System.getProperty("java.class.path");
    Optional<String> list = list();
    if (list.isEmpty()) {
      log.warn("this build has no {}: the ztunnel starts with the whole class path", LIST);
      return classPath;
    }
    return select(list.get(), cliLocation(), classPath);
  }

  /**
   * The entries of {@code classPath} named in {@code list} (jar file names, possibly with a
   * directory prefix, separated by ':'), after {@code cli}, in the list's order; {@code classPath}
   * itself if one of them is missing.
   */
  static String select(String list, String cli, String classPath) {
    Map<String, String> byName = new LinkedHashMap<>();
    for (String entry : classPath.split(File.pathSeparator)) {
      byName.putIfAbsent(fileName(entry), entry);
    }
    List<String> selected = new ArrayList<>(List.of(cli));
    for (String listed : list.strip().split("[:\\s]+")) {
      if (listed.isEmpty()) {
        continue;
      }
      String entry = byName.get(fileName(listed));
      if (entry == null) {
        log.warn(
            "{} is not on this class path (a different build?): the ztunnel starts with the whole"
                + " class path",
            fileName(listed));
        return classPath;
      }
      selected.add(entry);
    }
    return String.join(File.pathSeparator, selected);
  }

  private static String fileName(String entry) {
    int slash = Math.max(entry.lastIndexOf('/'), entry.lastIndexOf('\\'));
    return entry.substring(slash + 1);
  }

  static Optional<String> list() {
    try (InputStream in = ZtunnelClassPath.class.getResourceAsStream(LIST)) {
      return in == null
          ? Optional.empty()
          : Optional.of(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + LIST + " from the CLI's jar", e);
    }
  }

  /** Where the CLI's classes are: its jar, or a classes directory in a development build. */
  private static String cliLocation() {
    try {
      return Path.of(
              ZtunnelClassPath.class.getProtectionDomain().getCodeSource().getLocation().toURI())
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalStateException("cannot locate the CLI's classes", e);
    }
  }
}
