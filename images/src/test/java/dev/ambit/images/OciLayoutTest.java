package dev.ambit.images;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every image tarball is a valid OCI image layout: oci-layout, index.json pointing at a manifest,
 * the manifest at a config and layers, every descriptor's digest and size matching the blob, the
 * config's diff_ids matching the uncompressed layers; and all images share the same layers.
 */
class OciLayoutTest {

  @Test
  void everyImageIsAValidOciLayoutAndTheyShareTheirLayers() throws Exception {
    Map<String, List<String>> layersByImage = new HashMap<>();
    Map<String, JsonNode> configs = new HashMap<>();
    for (String name : ImageSpec.NAMES) {
      ImageTarball t = ImageTarball.read(ImageTarball.path(name));
      assertThat(t.json("oci-layout").get("imageLayoutVersion").asText()).isEqualTo("1.0.0");

      JsonNode index = t.json("index.json");
      assertThat(index.get("schemaVersion").asInt()).isEqualTo(2);
      assertThat(index.get("manifests")).hasSize(1);
      JsonNode desc = index.get("manifests").get(0);
      assertThat(desc.get("mediaType").asText()).isEqualTo(OciArchive.MANIFEST_TYPE);
      assertThat(desc.at("/platform/os").asText()).isEqualTo("linux");
      assertThat(desc.at("/platform/architecture").asText()).isEqualTo(BuildImages.architecture());
      assertThat(desc.at("/annotations/io.containerd.image.name").asText())
          .isEqualTo("ambit/" + name + ":0.1.0-SNAPSHOT");
      JsonNode manifest = blobJson(t, desc);

      assertThat(manifest.get("mediaType").asText()).isEqualTo(OciArchive.MANIFEST_TYPE);
      JsonNode config = blobJson(t, manifest.get("config"));
      assertThat(manifest.at("/config/mediaType").asText()).isEqualTo(OciArchive.CONFIG_TYPE);
      assertThat(config.get("os").asText()).isEqualTo("linux");
      assertThat(config.at("/rootfs/type").asText()).isEqualTo("layers");

      List<String> layers = new ArrayList<>();
      JsonNode diffIds = config.at("/rootfs/diff_ids");
      assertThat(diffIds).hasSize(manifest.get("layers").size()).hasSize(4);
      for (int i = 0; i < diffIds.size(); i++) {
        JsonNode layer = manifest.get("layers").get(i);
        assertThat(layer.get("mediaType").asText()).isEqualTo(OciArchive.LAYER_TYPE);
        ImageTarball.Blob blob = blob(t, layer);
        assertThat(blob.uncompressedDigest())
            .as("diff_id of layer " + i)
            .isEqualTo(diffIds.get(i).asText());
        layers.add(layer.get("digest").asText());
      }
      layersByImage.put(name, layers);
      configs.put(name, config);

      JsonNode docker = t.json("manifest.json").get(0);
      assertThat(docker.get("Config").asText())
          .isEqualTo(ImageTarball.blobName(manifest.at("/config/digest").asText()));
      assertThat(docker.get("RepoTags").get(0).asText())
          .isEqualTo("ambit/" + name + ":0.1.0-SNAPSHOT");
      assertThat(docker.get("Layers")).hasSize(4);
    }
    assertThat(layersByImage.values())
        .allSatisfy(l -> assertThat(l).isEqualTo(layersByImage.get("control")));
    assertThat(configs.get("control").at("/config/Cmd").toString()).isEqualTo("[\"control\"]");
    assertThat(configs.get("ztunnel").at("/config/Cmd").toString()).isEqualTo("[\"ztunnel\"]");
    assertThat(configs.get("control").at("/config/Entrypoint"))
        .isEqualTo(configs.get("node-agent").at("/config/Entrypoint"));
    assertThat(configs.get("control").at("/config/User").asText()).isEqualTo("1337:1337");
    JsonNode ztunnelEntrypoint = configs.get("ztunnel").at("/config/Entrypoint");
    assertThat(ztunnelEntrypoint.get(ztunnelEntrypoint.size() - 1).asText())
        .isEqualTo("dev.ambit.cli.ZtunnelMain");
  }

  private static ImageTarball.Blob blob(ImageTarball t, JsonNode descriptor) {
    String digest = descriptor.get("digest").asText();
    ImageTarball.Blob blob = t.blobs.get(ImageTarball.blobName(digest));
    assertThat(blob).as("blob " + digest).isNotNull();
    assertThat(blob.digest()).isEqualTo(digest);
    assertThat(blob.size()).isEqualTo(descriptor.get("size").asLong());
    return blob;
  }

  private static JsonNode blobJson(ImageTarball t, JsonNode descriptor) throws Exception {
    blob(t, descriptor);
    return t.json(ImageTarball.blobName(descriptor.get("digest").asText()));
  }
}
