package dev.ambit.cli;

import dev.ambit.cli.cni.CniInstaller;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ambit cni-install}: what the node agent DaemonSet runs. Installs the chained CNI plugin on
 * the node, keeps it in the node's network configuration while running (re-adding it when another
 * component rewrites the file), and removes it on SIGTERM.
 */
@Command(
    name = "cni-install",
    mixinStandardHelpOptions = true,
    description =
        "Install the chained CNI plugin on this node and keep it configured (node agent).")
final class CniInstallCommand implements Callable<Integer> {

  @Option(names = "--cni-conf-dir", required = true, description = "Node's CNI configuration dir.")
  Path confDir;

  @Option(names = "--cni-bin-dir", required = true, description = "Node's CNI plugin binaries.")
  Path binDir;

  @Option(
      names = "--runtime-dir",
      required = true,
      description = "Where to copy the Java runtime and jars (as mounted here).")
  Path runtimeDir;

  @Option(
      names = "--host-runtime-dir",
      required = true,
      description = "The same directory as the node sees it (named in the launcher).")
  Path hostRuntimeDir;

  @Option(names = "--pods-socket", required = true, description = "ztunnel's pods socket.")
  Path podsSocket;

  @Override
  public Integer call() throws IOException, InterruptedException, URISyntaxException {
    Path lib =
        Path.of(CniInstallCommand.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .getParent();
    CniInstaller installer =
        new CniInstaller(
            new CniInstaller.Layout(
                Path.of(System.getProperty("java.home")),
                lib,
                runtimeDir,
                hostRuntimeDir,
                binDir,
                confDir,
                podsSocket));
    installer.installBinaries();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              try {
                installer.uninstall();
              } catch (IOException e) {
                System.err.println("ambit cni-install: uninstall failed: " + e.getMessage());
              } finally {
                stopped.countDown();
              }
            });
    Runtime.getRuntime().addShutdownHook(hook);
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      confDir.register(
          watch,
          StandardWatchEventKinds.ENTRY_CREATE,
          StandardWatchEventKinds.ENTRY_MODIFY,
          StandardWatchEventKinds.ENTRY_DELETE);
      while (stopped.getCount() > 0) {
        installer.ensureChained();
        WatchKey key = watch.take();
        key.pollEvents();
        key.reset();
      }
    }
    return 0;
  }
}
