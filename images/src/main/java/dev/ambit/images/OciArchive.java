package dev.ambit.images;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Writes one image as a tarball holding an OCI image layout (oci-layout, index.json,
 * blobs/sha256/...), plus a docker-save style manifest.json naming the same blobs so that {@code
 * docker load} of older engines reads it too.
 */
final class OciArchive {
  static final String MANIFEST_TYPE = "application/vnd.oci.image.manifest.v1+json";
  static final String CONFIG_TYPE = "application/vnd.oci.image.config.v1+json";
  static final String LAYER_TYPE = "application/vnd.oci.image.layer.v1.tar+gzip";
  private static final ObjectMapper JSON = new ObjectMapper();

  private OciArchive() {}

  /** Writes {@code image} with {@code layers} (base first) to {@code tarball}. */
  static void write(
      Path tarball,
      ImageSpec image,
      List<Layer> layers,
      String repository,
      String tag,
      String architecture)
      throws IOException {
    String ref = repository + "/" + image.name() + ":" + tag;
    byte[] config = JSON.writeValueAsBytes(config(image, layers, tag, architecture));
    String configDigest = sha256(config);

    Map<String, Object> manifest = new LinkedHashMap<>();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", MANIFEST_TYPE);
    manifest.put("config", descriptor(CONFIG_TYPE, configDigest, config.length));
    List<Object> layerDescriptors = new ArrayList<>();
    for (Layer l : layers) {
      layerDescriptors.add(descriptor(LAYER_TYPE, l.digest(), l.size()));
    }
    manifest.put("layers", layerDescriptors);
    byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
    String manifestDigest = sha256(manifestBytes);

    Map<String, Object> entry = descriptor(MANIFEST_TYPE, manifestDigest, manifestBytes.length);
    entry.put(
        "annotations",
        ordered("io.containerd.image.name", ref, "org.opencontainers.image.ref.name", tag));
    entry.put("platform", ordered("architecture", architecture, "os", "linux"));
    Map<String, Object> index = new LinkedHashMap<>();
    index.put("schemaVersion", 2);
    index.put("mediaType", "application/vnd.oci.image.index.v1+json");
    index.put("manifests", List.of(entry));

    Map<String, Object> docker = new LinkedHashMap<>();
    docker.put("Config", blobPath(configDigest));
    docker.put("RepoTags", List.of(ref));
    docker.put("Layers", layers.stream().map(l -> blobPath(l.digest())).toList());

    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tarball), 1 << 16);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      bytes(
          tar, "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8));
      bytes(tar, "index.json", JSON.writeValueAsBytes(index));
      bytes(tar, "manifest.json", JSON.writeValueAsBytes(List.of(docker)));
      directory(tar, "blobs/");
      directory(tar, "blobs/sha256/");
      bytes(tar, blobPath(configDigest), config);
      bytes(tar, blobPath(manifestDigest), manifestBytes);
      for (Layer l : layers) {
        TarArchiveEntry e = entry(blobPath(l.digest()));
        e.setSize(l.size());
        tar.putArchiveEntry(e);
        Files.copy(l.file(), tar);
        tar.closeArchiveEntry();
      }
      tar.finish();
    }
  }

  private static Map<String, Object> config(
      ImageSpec image, List<Layer> layers, String tag, String architecture) {
    Map<String, Object> runtime = new LinkedHashMap<>();
    runtime.put("User", image.user());
    runtime.put(
        "Env",
        List.of(
            "PATH=/opt/ambit/runtime/bin:/usr/bin:/bin",
            "JAVA_HOME=/opt/ambit/runtime",
            "AMBIT_HOME=/var/lib/ambit"));
    runtime.put("Entrypoint", image.entrypoint());
    runtime.put("Cmd", image.cmd());
    runtime.put("WorkingDir", "/");
    runtime.put(
        "Labels",
        ordered(
            "org.opencontainers.image.title",
            "ambit-" + image.name(),
            "org.opencontainers.image.version",
            tag));
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("created", "1970-01-01T00:00:01Z");
    config.put("architecture", architecture);
    config.put("os", "linux");
    config.put("config", runtime);
    config.put(
        "rootfs",
        ordered("type", "layers", "diff_ids", layers.stream().map(Layer::diffId).toList()));
    config.put(
        "history",
        layers.stream()
            .map(
                l ->
                    ordered(
                        "created",
                        "1970-01-01T00:00:01Z",
                        "created_by",
                        "ambit images: " + l.name()))
            .toList());
    return config;
  }

  /** A map with the keys in the given order, so the JSON (and its digest) never varies. */
  private static Map<String, Object> ordered(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> descriptor(String mediaType, String digest, long size) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mediaType", mediaType);
    d.put("digest", digest);
    d.put("size", size);
    return d;
  }

  static String blobPath(String digest) {
    return "blobs/sha256/" + digest.substring("sha256:".length());
  }

  private static void bytes(TarArchiveOutputStream tar, String name, byte[] content)
      throws IOException {
    TarArchiveEntry e = entry(name);
    e.setSize(content.length);
    tar.putArchiveEntry(e);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static void directory(TarArchiveOutputStream tar, String name) throws IOException {
    TarArchiveEntry e = entry(name);
    tar.putArchiveEntry(e);
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String name) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setModTime(LayerWriter.TIMESTAMP.toEpochMilli());
    e.setIds(0, 0);
    e.setNames("", "");
    return e;
  }

  private static String sha256(byte[] bytes) {
    MessageDigest d = LayerWriter.sha256();
    d.update(bytes);
    return LayerWriter.digest(d);
  }
}
