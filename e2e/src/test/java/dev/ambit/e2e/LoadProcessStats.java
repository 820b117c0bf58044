package dev.ambit.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a proxy process holds, for the load and leak tests: open descriptors ({@code /proc/PID/fd}),
 * threads ({@code /proc/PID/status}) and the heap in use right after a full GC ({@code jcmd PID
 * GC.run}, then {@code GC.heap_info}).
 */
record LoadProcessStats(long fds, long threads, long heapAfterGcKib) {

  /**
   * The heap's lines of {@code GC.heap_info}: "garbage-first heap total ..., used 1234K" (G1), or
   * one line per generation ("DefNew total ..., used ..K", "Tenured ..." with the Serial GC).
   */
  private static final Pattern HEAP_USED = Pattern.compile("(?m)^\\S.*?\\btotal\\b.*?used (\\d+)K");

  static LoadProcessStats of(LoadMesh mesh, long pid) throws Exception {
    Path jcmd =
        Path.of(ProcessHandle.current().info().command().orElseThrow()).resolveSibling("jcmd");
    AmbitCli.Result gc = mesh.host(jcmd.toString(), Long.toString(pid), "GC.run");
    assertThat(gc.exitCode()).as(gc.toString()).isZero();
    AmbitCli.Result heap = mesh.host(jcmd.toString(), Long.toString(pid), "GC.heap_info");
    assertThat(heap.exitCode()).as(heap.toString()).isZero();
    Matcher used = HEAP_USED.matcher(heap.stdout());
    long kib = 0;
    boolean any = false;
    while (used.find()) {
      kib += Long.parseLong(used.group(1));
      any = true;
    }
    assertThat(any).as(heap.stdout()).isTrue();
    return new LoadProcessStats(fds(pid), threads(pid), kib);
  }

  static long fds(long pid) throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
      return fds.count();
    }
  }

  static long threads(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("Threads:")) {
        return Long.parseLong(line.substring(8).trim());
      }
    }
    throw new AssertionError("no Threads line for " + pid);
  }

  /** Sockets in CLOSE_WAIT in any of the mesh's namespaces or the host's, as "netns: line". */
  static List<String> closeWait(LoadMesh mesh) throws Exception {
    List<String> found = new java.util.ArrayList<>();
    for (String ns : mesh.namespaces()) {
      AmbitCli.Result ss =
          mesh.host("ip", "netns", "exec", ns, "ss", "-Htan", "state", "close-wait");
      assertThat(ss.exitCode()).as(ss.toString()).isZero();
      ss.stdout().lines().filter(l -> !l.isBlank()).forEach(l -> found.add(ns + ": " + l));
    }
    return found;
  }
}
