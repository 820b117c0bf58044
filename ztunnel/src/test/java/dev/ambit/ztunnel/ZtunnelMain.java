package dev.ambit.ztunnel;

import dev.ambit.ztunnel.admin.AdminServers;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * The entry point a separate test process runs: the options of {@code ambit ztunnel} (same names)
 * into {@link ZtunnelProcess#run}, which is what that command calls, then exits with its status.
 */
public final class ZtunnelMain {

  private ZtunnelMain() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i], args[i + 1]);
    }
    System.exit(
        ZtunnelProcess.run(
            new Ztunnel.Options(
                o.get("--node"),
                o.get("--xds"),
                Path.of(o.get("--credentials")),
                Path.of(o.get("--pods-socket")),
                new AdminServers.Addresses(
                    address(o.get("--admin-address")),
                    address(o.get("--metrics-address")),
                    address(o.get("--ready-address"))),
                Duration.ofSeconds(Long.parseLong(o.get("--drain-seconds"))),
                ZtunnelConfig.defaults())));
  }

  private static InetSocketAddress address(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    return new InetSocketAddress(
        hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
  }
}
