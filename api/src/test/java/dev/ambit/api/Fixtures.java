package dev.ambit.api;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Paths of test resources. */
final class Fixtures {
  private Fixtures() {}

  static Path path(String name) {
    try {
      return Path.of(Fixtures.class.getResource("/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }
}
