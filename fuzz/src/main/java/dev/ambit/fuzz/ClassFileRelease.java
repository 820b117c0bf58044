package dev.ambit.fuzz;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Rewrites the class-file major version of every {@code .class} under the given directories to the
 * one Jazzer's instrumentation reads (Java 21, 65). Jazzer 0.24 bundles a bytecode library that
 * refuses Java 25 class files (major 69: "Unsupported class file major version 69"), so without
 * this nothing of Ambit would be coverage-instrumented. Java 21 to 25 compile to the same bytecode
 * and attributes, so only the version number changes; the JVM 25 runs the result as it is.
 *
 * <p>Usage: {@code ClassFileRelease DIR...} (run by the build before the fuzz tests).
 */
public final class ClassFileRelease {

  static final int TARGET_MAJOR = 65;
  private static final int MAGIC = 0xCAFEBABE;

  private ClassFileRelease() {}

  public static void main(String[] args) throws IOException {
    for (String dir : args) {
      Path root = Path.of(dir);
      if (Files.isDirectory(root)) {
        rewriteAll(root);
      }
    }
  }

  static int rewriteAll(Path root) throws IOException {
    List<Path> classes;
    try (Stream<Path> files = Files.walk(root)) {
      classes = files.filter(p -> p.toString().endsWith(".class")).toList();
    }
    int rewritten = 0;
    for (Path p : classes) {
      byte[] b = Files.readAllBytes(p);
      if (lower(b)) {
        Files.write(p, b);
        rewritten++;
      }
    }
    return rewritten;
  }

  /** Lowers the major version in place; false when {@code b} is not a newer class file. */
  static boolean lower(byte[] b) {
    if (b.length < 8 || readInt(b, 0) != MAGIC) {
      return false;
    }
    int major = ((b[6] & 0xff) << 8) | (b[7] & 0xff);
    if (major <= TARGET_MAJOR) {
      return false;
    }
    b[6] = (byte) (TARGET_MAJOR >>> 8);
    b[7] = (byte) TARGET_MAJOR;
    return true;
  }

  private static int readInt(byte[] b, int at) {
    return ((b[at] & 0xff) << 24)
        | ((b[at + 1] & 0xff) << 16)
        | ((b[at + 2] & 0xff) << 8)
        | (b[at + 3] & 0xff);
  }
}
