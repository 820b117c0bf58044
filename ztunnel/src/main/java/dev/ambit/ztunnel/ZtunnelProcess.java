package dev.ambit.ztunnel;

import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * A ztunnel as the whole job of its process: SIGTERM (or SIGINT) drains it (stop accepting, open
 * connections continue until the drain deadline, then are closed) and the process then exits with
 * status 0, like {@code /quitquitquit}. The JVM's default handling of these signals would run
 * shutdown hooks and exit with 143 while the drain is still running.
 */
public final class ZtunnelProcess {

  private static final Logger LOG = LoggerFactory.getLogger(ZtunnelProcess.class);

  private ZtunnelProcess() {}

  /** Starts a ztunnel and blocks until it has drained and stopped; returns the exit status. */
  public static int run(Ztunnel.Options options) throws IOException, InterruptedException {
    Ztunnel z = Ztunnel.start(options);
    for (String name : List.of("TERM", "INT")) {
      Signal.handle(
          new Signal(name),
          signal -> {
            LOG.info("SIG{} received: draining", signal.getName());
            // The signal thread must return at once; stop() blocks for the whole drain.
            Thread.ofPlatform().name("ztunnel-drain").start(z::stop);
          });
    }
    z.awaitStopped();
    return 0;
  }
}
