package dev.ambit.images;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** Reads an image tarball back: its files, and the blobs' digests computed from their bytes. */
final class ImageTarball {
  static final ObjectMapper JSON = new ObjectMapper();

  /** The tarballs the build writes (process-classes, before the tests). */
  static final Path IMAGES = Path.of("target", "images");

  /** A blob: sha256 of its bytes, its size, and for gzip blobs the sha256 of the content. */
  record Blob(String digest, long size, String uncompressedDigest) {}

  final Map<String, byte[]> smallFiles = new LinkedHashMap<>();
  final Map<String, Blob> blobs = new LinkedHashMap<>();

  static Path path(String image) {
    Path p = IMAGES.resolve(image + "-linux-" + BuildImages.architecture() + ".oci.tar");
    if (!Files.isRegularFile(p)) {
      throw new AssertionError(
          p.toAbsolutePath()
              + " is missing: the images module's build (process-classes) writes it");
    }
    return p;
  }

  static ImageTarball read(Path tarball) throws IOException {
    ImageTarball t = new ImageTarball();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(Files.newInputStream(tarball))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.isDirectory()) {
          continue;
        }
        byte[] bytes = tar.readAllBytes();
        if (e.getName().startsWith("blobs/sha256/")) {
          String uncompressed = null;
          if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
              uncompressed = sha256(in.readAllBytes());
            }
          }
          t.blobs.put(e.getName(), new Blob(sha256(bytes), bytes.length, uncompressed));
          if (bytes.length < 1 << 20) {
            t.smallFiles.put(e.getName(), bytes);
          }
        } else {
          t.smallFiles.put(e.getName(), bytes);
        }
      }
    }
    return t;
  }

  JsonNode json(String name) throws IOException {
    byte[] b = smallFiles.get(name);
    if (b == null) {
      throw new AssertionError("the tarball has no " + name);
    }
    return JSON.readTree(b);
  }

  static String blobName(String digest) {
    return "blobs/sha256/" + digest.substring("sha256:".length());
  }

  /** Unpacks the image's layers, in order, into {@code root}. */
  static void unpack(Path tarball, Path root) throws IOException {
    ImageTarball t = read(tarball);
    JsonNode index = t.json("index.json");
    JsonNode manifest = t.json(blobName(index.get("manifests").get(0).get("digest").asText()));
    for (JsonNode layer : manifest.get("layers")) {
      String name = blobName(layer.get("digest").asText());
      try (TarArchiveInputStream outer = new TarArchiveInputStream(Files.newInputStream(tarball))) {
        TarArchiveEntry e;
        while ((e = outer.getNextEntry()) != null) {
          if (e.getName().equals(name)) {
            extractLayer(new GZIPInputStream(outer), root);
            break;
          }
        }
      }
    }
  }

  private static void extractLayer(InputStream gz, Path root) throws IOException {
    TarArchiveInputStream tar = new TarArchiveInputStream(gz);
    TarArchiveEntry e;
    while ((e = tar.getNextEntry()) != null) {
      Path target = root.resolve(e.getName()).normalize();
      if (!target.startsWith(root)) {
        throw new IOException("layer entry outside the root: " + e.getName());
      }
      if (e.isDirectory()) {
        Files.createDirectories(target);
      } else if (e.isSymbolicLink()) {
        Files.createDirectories(target.getParent());
        Files.deleteIfExists(target);
        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
        continue;
      } else {
        Files.createDirectories(target.getParent());
        Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
      Files.setPosixFilePermissions(target, permissions(e.getMode()));
    }
  }

  private static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> out = EnumSet.noneOf(PosixFilePermission.class);
    PosixFilePermission[] order = {
      PosixFilePermission.OTHERS_EXECUTE,
      PosixFilePermission.OTHERS_WRITE,
      PosixFilePermission.OTHERS_READ,
      PosixFilePermission.GROUP_EXECUTE,
      PosixFilePermission.GROUP_WRITE,
      PosixFilePermission.GROUP_READ,
      PosixFilePermission.OWNER_EXECUTE,
      PosixFilePermission.OWNER_WRITE,
      PosixFilePermission.OWNER_READ
    };
    for (int i = 0; i < order.length; i++) {
      if ((mode & (1 << i)) != 0) {
        out.add(order[i]);
      }
    }
    return out;
  }

  static String sha256(byte[] bytes) {
    java.security.MessageDigest d = LayerWriter.sha256();
    d.update(bytes);
    return LayerWriter.digest(d);
  }
}
