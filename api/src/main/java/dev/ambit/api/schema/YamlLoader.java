package dev.ambit.api.schema;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.ambit.api.ConfigError;
import dev.ambit.api.SourceLocation;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Parses a YAML (or JSON) stream of one or more documents into {@link Node} trees with line
 * numbers. Syntax errors and duplicate keys become {@link ConfigError}s naming the line.
 */
public final class YamlLoader {

  /** One document's size limit, in characters (a mesh object is a few KiB). */
  public static final int MAX_DOCUMENT_CHARS = 1 << 20;

  /** How deep mappings and sequences may nest (resources need about ten levels). */
  public static final int MAX_NESTING = 64;

  private static final YAMLFactory FACTORY = factory();

  private final String file;
  private final List<ConfigError> errors;
  private int lastLine;

  private YamlLoader(String file, List<ConfigError> errors) {
    this.file = file;
    this.errors = errors;
  }

  /**
   * The non-empty documents of {@code reader}. Problems are added to {@code errors}; after a syntax
   * error the rest of the stream is not read.
   */
  public static List<Node> load(String file, Reader reader, List<ConfigError> errors) {
    return new YamlLoader(file, errors).documents(reader);
  }

  private List<Node> documents(Reader reader) {
    List<Node> documents = new ArrayList<>();
    try (JsonParser parser = FACTORY.createParser(reader)) {
      JsonToken token;
      while ((token = parser.nextToken()) != null) {
        Node document = value(parser, token);
        // An empty document (only comments, or nothing between two ---) reads as "" or null.
        boolean empty =
            document instanceof Node.ScalarNode scalar
                && (scalar.type() == Node.ScalarType.NULL || scalar.text().isEmpty());
        if (!empty) {
          documents.add(document);
        }
      }
    } catch (UnsupportedFeature e) {
      errors.add(new ConfigError(new SourceLocation(file, lastLine), null, e.getMessage()));
    } catch (JsonProcessingException e) {
      errors.add(syntaxError(e));
    } catch (IOException e) {
      errors.add(new ConfigError(new SourceLocation(file, 0), null, "cannot read: " + e));
    }
    return documents;
  }

  private static YAMLFactory factory() {
    LoaderOptions options = new LoaderOptions();
    options.setCodePointLimit(MAX_DOCUMENT_CHARS);
    options.setNestingDepthLimit(MAX_NESTING);
    return YAMLFactory.builder()
        .loaderOptions(options)
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
        .build();
  }

  private Node value(JsonParser parser, JsonToken token) throws IOException {
    int line = line(parser.currentTokenLocation());
    lastLine = line;
    if (parser instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
      // Jackson does not expand aliases; reading "*name" as the text "name" would be wrong.
      throw new UnsupportedFeature(
          "YAML aliases (*" + parser.getText() + ") are not supported; write the value out");
    }
    return switch (token) {
      case START_OBJECT -> mapping(parser, line);
      case START_ARRAY -> sequence(parser, line);
      case VALUE_STRING -> new Node.ScalarNode(line, Node.ScalarType.STRING, parser.getText());
      case VALUE_NUMBER_INT -> new Node.ScalarNode(line, Node.ScalarType.INT, parser.getText());
      case VALUE_NUMBER_FLOAT -> new Node.ScalarNode(line, Node.ScalarType.FLOAT, parser.getText());
      case VALUE_TRUE, VALUE_FALSE ->
          new Node.ScalarNode(
              line, Node.ScalarType.BOOL, token == JsonToken.VALUE_TRUE ? "true" : "false");
      case VALUE_NULL -> new Node.ScalarNode(line, Node.ScalarType.NULL, "null");
      default -> new Node.ScalarNode(line, Node.ScalarType.STRING, parser.getText());
    };
  }

  private Node mapping(JsonParser parser, int line) throws IOException {
    Map<String, Node.Entry> entries = new LinkedHashMap<>();
    JsonToken token;
    while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
      String key = parser.currentName();
      int keyLine = line(parser.currentTokenLocation());
      Node value = value(parser, parser.nextToken());
      if (entries.containsKey(key)) {
        errors.add(
            new ConfigError(
                new SourceLocation(file, keyLine),
                null,
                "duplicate key "
                    + Texts.quote(key)
                    + " (first at line "
                    + entries.get(key).keyLine()
                    + ")"));
      } else {
        entries.put(key, new Node.Entry(keyLine, value));
      }
    }
    if (token != JsonToken.END_OBJECT) {
      throw new IllegalStateException("unexpected token " + token);
    }
    return new Node.MapNode(line, entries);
  }

  private Node sequence(JsonParser parser, int line) throws IOException {
    List<Node> items = new ArrayList<>();
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      items.add(value(parser, token));
    }
    return new Node.ListNode(line, items);
  }

  /** Valid YAML this reader refuses (the rest of the stream is not read). */
  private static final class UnsupportedFeature extends IOException {
    UnsupportedFeature(String message) {
      super(message);
    }
  }

  private ConfigError syntaxError(JsonProcessingException e) {
    // Limits (nesting) are reported without a location: the last value read is where it was.
    int line =
        e.getLocation() == null || e.getLocation().getLineNr() <= 0
            ? lastLine
            : line(e.getLocation());
    String message = e.getOriginalMessage();
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof MarkedYAMLException marked) {
        if (marked.getProblemMark() != null) {
          line = marked.getProblemMark().getLine() + 1;
        }
        message = marked.getProblem();
        if (marked.getContext() != null) {
          message = message + " (" + marked.getContext() + ")";
        }
        break;
      }
    }
    return new ConfigError(
        new SourceLocation(file, line), null, "YAML syntax error: " + firstLine(message));
  }

  private static String firstLine(String message) {
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  private static int line(JsonLocation location) {
    return location == null ? 0 : Math.max(location.getLineNr(), 0);
  }
}
