package dev.ambit.cli;

import dev.ambit.node.images.Images;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ambit image NAME}: runs a built-in image in the foreground (what pods run). */
@Command(
    name = "image",
    hidden = true,
    description = "Run a built-in image (echo, tcp-echo, curl) in the foreground.")
final class ImageCommand implements Callable<Integer> {

  @Parameters(index = "0", description = "Image name: echo, tcp-echo or curl.")
  String name;

  @Option(
      names = "--port",
      description = "Port to listen on (default: env PORT, else 8080 / 9000).")
  Integer port;

  @Override
  public Integer call() throws Exception {
    if (!Images.NAMES.contains(name)) {
      System.err.println("ambit image: unknown image " + name + "; known: " + Images.NAMES);
      return 2;
    }
    Images.run(name, port, System.getenv());
    return 0;
  }
}
