package dev.ambit.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.ambit.api.schema.Emitter;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes resources as YAML or JSON in any served version of their kind (by default the version they
 * carry). What it writes, {@link ConfigReader} reads back to an equal object.
 */
public final class ConfigWriter {

  private static final ObjectMapper YAML =
      new ObjectMapper(
          YAMLFactory.builder()
              .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
              .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
              .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
              .build());
  private static final ObjectMapper JSON = json();

  private ConfigWriter() {}

  private static ObjectMapper json() {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    mapper.getFactory().setCharacterEscapes(new YamlLineBreakEscapes());
    return mapper;
  }

  /**
   * JSON is read back with the YAML parser, for which NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR
   * are line breaks: written raw inside a string, the white space before them would be folded away.
   * Written as escapes (backslash, u, four hex digits), every character reads back as it was.
   */
  private static final class YamlLineBreakEscapes extends CharacterEscapes {
    private final int[] ascii = standardAsciiEscapesForJSON();

    @Override
    public int[] getEscapeCodesForAscii() {
      return ascii;
    }

    @Override
    public SerializableString getEscapeSequence(int ch) {
      return switch (ch) {
        case 0x85, 0x2028, 0x2029 -> new SerializedString(String.format("\\u%04x", ch));
        default -> null;
      };
    }
  }

  /** YAML of the object in its own apiVersion. */
  public static String toYaml(Resource<?> resource) {
    return toYaml(resource, resource.apiVersion());
  }

  /** YAML of the object in {@code apiVersion} (a served version of its kind). */
  public static String toYaml(Resource<?> resource, String apiVersion) {
    return write(YAML, tree(resource, apiVersion));
  }

  /** A multi-document YAML stream, each object in its own apiVersion. */
  public static String toYaml(List<? extends Resource<?>> resources) {
    StringBuilder out = new StringBuilder();
    for (Resource<?> resource : resources) {
      if (!out.isEmpty()) {
        out.append("---\n");
      }
      out.append(toYaml(resource));
    }
    return out.toString();
  }

  /** JSON of the object in its own apiVersion. */
  public static String toJson(Resource<?> resource) {
    return toJson(resource, resource.apiVersion());
  }

  /** JSON of the object in {@code apiVersion} (a served version of its kind). */
  public static String toJson(Resource<?> resource, String apiVersion) {
    return write(JSON, tree(resource, apiVersion)) + "\n";
  }

  /** The Jackson tree of the object in {@code apiVersion}. */
  public static ObjectNode tree(Resource<?> resource, String apiVersion) {
    Resource<?> converted = resource.toVersion(apiVersion);
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("apiVersion", converted.apiVersion());
    root.put("kind", converted.kind().kindName());
    root.set("metadata", Emitter.emit(converted.metadata()));
    if (converted.kind().hasSpec()) {
      root.set("spec", Emitter.emit(converted.spec()));
    }
    if (converted.status() != null) {
      root.set("status", Emitter.emit(converted.status()));
    }
    return root;
  }

  private static String write(ObjectMapper mapper, JsonNode tree) {
    try {
      return mapper.writeValueAsString(tree);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
