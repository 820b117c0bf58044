package dev.ambit.images;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * The system shared libraries (the C library and the dynamic loader) that the runtime and the
 * native libraries inside the application's jars need, found with {@code ldd} on the build host:
 * the image has no base, so they are copied into its first layer.
 */
final class NativeLibraries {
  private static final Pattern RESOLVED = Pattern.compile("=>\\s+(/\\S+)\\s+\\(");
  private static final Pattern LOADER = Pattern.compile("^\\s*(/\\S+)\\s+\\(");

  private NativeLibraries() {}

  /** Absolute paths (as the loader names them) needed by ELF files under {@code runtime}/jars. */
  static Set<String> needed(Path runtime, Collection<Path> jars, Path scratch) throws IOException {
    Set<String> out = new TreeSet<>();
    List<Path> elves;
    try (Stream<Path> s = Files.walk(runtime)) {
      elves = s.filter(Files::isRegularFile).filter(NativeLibraries::isElf).toList();
    }
    for (Path elf : elves) {
      out.addAll(ldd(elf, runtime));
    }
    for (Path jar : jars) {
      for (Path so : extractNative(jar, scratch)) {
        out.addAll(ldd(so, runtime));
      }
    }
    return out;
  }

  private static List<Path> extractNative(Path jar, Path scratch) throws IOException {
    List<Path> out = new java.util.ArrayList<>();
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        if (e.getName().startsWith("META-INF/native/") && e.getName().endsWith(".so")) {
          Path target = scratch.resolve(Path.of(e.getName()).getFileName().toString());
          try (InputStream in = zip.getInputStream(e)) {
            Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
          out.add(target);
        }
      }
    }
    return out;
  }

  private static Set<String> ldd(Path elf, Path runtime) throws IOException {
    Process p = new ProcessBuilder("ldd", elf.toString()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      p.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running ldd", e);
    }
    Set<String> out = new TreeSet<>();
    String runtimeDir = runtime.toAbsolutePath().normalize().toString();
    for (String line : output.split("\n")) {
      Matcher m = RESOLVED.matcher(line);
      Matcher l = LOADER.matcher(line);
      String path = m.find() ? m.group(1) : l.find() ? l.group(1) : null;
      if (path != null && !Path.of(path).normalize().toString().startsWith(runtimeDir)) {
        out.add(path);
      }
    }
    return out;
  }

  private static boolean isElf(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      byte[] magic = in.readNBytes(4);
      return magic.length == 4
          && magic[0] == 0x7f
          && magic[1] == 'E'
          && magic[2] == 'L'
          && magic[3] == 'F';
    } catch (IOException e) {
      return false;
    }
  }
}
