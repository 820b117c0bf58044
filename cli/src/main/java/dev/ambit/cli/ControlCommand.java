package dev.ambit.cli;

import dev.ambit.control.ControlPlane;
import dev.ambit.control.ca.CertificateAuthority;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code ambit control}: runs the control plane until interrupted. Prints a line {@code ready} once
 * every listener accepts connections.
 */
@Command(
    name = "control",
    mixinStandardHelpOptions = true,
    description = "Run the control plane: xDS and CA (TLS), management socket, metrics.")
final class ControlCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin ControlConnection control;
  @Mixin KubeOptions kube;

  @Option(
      names = "--xds-address",
      paramLabel = "HOST:PORT",
      description = "xDS and CA listener (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.0.0.0:15012")
  String xdsAddress;

  @Option(
      names = "--debug-address",
      paramLabel = "HOST:PORT",
      description = "/metrics and /debug/config_dump listener (default: ${DEFAULT-VALUE}).",
      defaultValue = "0.0.0.0:15014")
  String debugAddress;

  @Option(
      names = "--trust-domain",
      description = "SPIFFE trust domain (default: ${DEFAULT-VALUE}).",
      defaultValue = "cluster.local")
  String trustDomain;

  @Option(
      names = "--ca-dir",
      paramLabel = "DIR",
      description =
          "Plug-in CA directory (ca-cert.pem, ca-key.pem, root-cert.pem, cert-chain.pem): sign as an intermediate of that root.")
  Path caDir;

  @Option(
      names = "--max-cert-lifetime",
      paramLabel = "DURATION",
      description = "Longest workload certificate issued, ISO-8601 (default: PT24H).",
      defaultValue = "PT24H")
  Duration maxCertLifetime;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (!maxCertLifetime.isZero()
        && maxCertLifetime.compareTo(CertificateAuthority.MIN_MAX_LIFETIME) < 0) {
      throw new ParameterException(
          spec.commandLine(),
          "--max-cert-lifetime must be at least "
              + CertificateAuthority.MIN_MAX_LIFETIME
              + ": certificates are backdated by a minute and renewed at half their validity");
    }
    ControlPlane.Options options =
        new ControlPlane.Options(
            control.home(),
            address(xdsAddress),
            address(debugAddress),
            trustDomain,
            caDir,
            maxCertLifetime.isZero() ? CertificateAuthority.DEFAULT_LIFETIME : maxCertLifetime,
            Duration.ofMillis(100));
    kube.check(spec.commandLine());
    AutoCloseable cp = kube.enabled ? kube.start(options) : ControlPlane.start(options);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    cp.close();
                  } catch (Exception e) {
                    spec.commandLine().getErr().println("error while stopping: " + e.getMessage());
                  }
                  stopped.countDown();
                }));
    out.println("ready");
    out.flush();
    stopped.await();
    return 0;
  }

  static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException("expected HOST:PORT, got " + hostPort);
    }
    String host = hostPort.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    return new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
