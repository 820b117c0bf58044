package dev.ambit.cli.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The record of a running local mesh, written before anything is created so that {@code ambit down}
 * can remove exactly what was created even after a crash: everything is named with {@code prefix}.
 */
public record MeshState(String prefix, int nodes, long createdMillis, List<Component> components) {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A process of the mesh (control plane, a ztunnel, a node agent). */
  public record Component(String name, String netns, long pid, String log) {}

  public MeshState {
    components = List.copyOf(components == null ? List.of() : components);
  }

  public MeshState with(Component c) {
    List<Component> all = new ArrayList<>(components);
    all.add(c);
    return new MeshState(prefix, nodes, createdMillis, all);
  }

  public static Optional<MeshState> read(Path file) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(file.toFile(), MeshState.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the mesh state " + file, e);
    }
  }

  public void write(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), this);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the mesh state " + file, e);
    }
  }
}
