package dev.ambit.images;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Collects the files of one layer and writes it as a reproducible tar.gz: entries sorted by path,
 * parent directories added, owner 0:0 (or as given), one fixed timestamp, so the same inputs always
 * give the same digest.
 */
final class LayerWriter {
  static final Instant TIMESTAMP = Instant.ofEpochSecond(1);

  /** One entry: a directory, a file (from disk or bytes) or a symbolic link. */
  private record Entry(Path source, byte[] bytes, String link, int mode, int uid, boolean dir) {}

  private final Map<String, Entry> entries = new TreeMap<>();

  LayerWriter directory(String path, int mode, int uid) {
    parents(path);
    entries.put(dirName(path), new Entry(null, null, null, mode, uid, true));
    return this;
  }

  LayerWriter file(String path, Path source) {
    parents(path);
    int mode = Files.isExecutable(source) ? 0755 : 0644;
    entries.put(strip(path), new Entry(source, null, null, mode, 0, false));
    return this;
  }

  LayerWriter file(String path, String content, int mode) {
    parents(path);
    entries.put(
        strip(path),
        new Entry(null, content.getBytes(StandardCharsets.UTF_8), null, mode, 0, false));
    return this;
  }

  LayerWriter symlink(String path, String target) {
    parents(path);
    entries.put(strip(path), new Entry(null, null, target, 0777, 0, false));
    return this;
  }

  /** Adds {@code dir}'s whole tree under {@code prefix}, keeping executable bits. */
  LayerWriter tree(String prefix, Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        String name = prefix + "/" + dir.relativize(p).toString().replace('\\', '/');
        if (Files.isSymbolicLink(p)) {
          symlink(name, Files.readSymbolicLink(p).toString());
        } else if (Files.isDirectory(p)) {
          directory(name, 0755, 0);
        } else {
          file(name, p);
        }
      }
    }
    return this;
  }

  private void parents(String path) {
    String p = strip(path);
    int slash = p.indexOf('/');
    while (slash > 0) {
      entries.putIfAbsent(p.substring(0, slash + 1), new Entry(null, null, null, 0755, 0, true));
      slash = p.indexOf('/', slash + 1);
    }
  }

  private static String strip(String path) {
    String p = path.startsWith("/") ? path.substring(1) : path;
    return p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  private static String dirName(String path) {
    return strip(path) + "/";
  }

  /** Writes the layer to {@code file}. */
  Layer write(String name, Path file) throws IOException {
    MessageDigest uncompressed = sha256();
    MessageDigest compressed = sha256();
    try (OutputStream fileOut = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
        DigestOutputStream gzDigest = new DigestOutputStream(fileOut, compressed);
        GZIPOutputStream gzip = new FastGzip(gzDigest);
        DigestOutputStream tarDigest = new DigestOutputStream(gzip, uncompressed);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(tarDigest)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Map.Entry<String, Entry> e : entries.entrySet()) {
        write(tar, e.getKey(), e.getValue());
      }
      tar.finish();
    }
    return new Layer(name, file, digest(compressed), Files.size(file), digest(uncompressed));
  }

  private static void write(TarArchiveOutputStream tar, String path, Entry e) throws IOException {
    TarArchiveEntry t;
    if (e.link != null) {
      t = new TarArchiveEntry(path, TarArchiveEntry.LF_SYMLINK);
      t.setLinkName(e.link);
    } else {
      t = new TarArchiveEntry(path);
    }
    t.setMode(
        (e.dir ? TarArchiveEntry.DEFAULT_DIR_MODE & ~0777 : e.link != null ? 0120000 : 0100000)
            | e.mode);
    t.setIds(e.uid, e.uid);
    t.setNames("", "");
    t.setModTime(TIMESTAMP.toEpochMilli());
    if (e.source != null) {
      t.setSize(Files.size(e.source));
    } else if (e.bytes != null) {
      t.setSize(e.bytes.length);
    }
    tar.putArchiveEntry(t);
    if (e.source != null) {
      Files.copy(e.source, tar);
    } else if (e.bytes != null) {
      tar.write(e.bytes);
    }
    tar.closeArchiveEntry();
  }

  /**
   * gzip at the fastest level: most bytes are jars and jlink's modules file, already compressed,
   * where higher levels cost time and save little.
   */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, 1 << 16);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String digest(MessageDigest d) {
    return "sha256:" + HexFormat.of().formatHex(d.digest());
  }
}
