package dev.ambit.cli.local;

import dev.ambit.node.net.MeshLayout;
import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.GetRequest;
import dev.ambit.proto.control.PodInfo;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.util.List;

/** The tables {@code ambit up} and {@code ambit status} print: nodes, pods, waypoints. */
public final class MeshSummary {
  private final AmbitHome home;
  private final MeshState state;

  public MeshSummary(AmbitHome home, MeshState state) {
    this.home = home;
    this.state = state;
  }

  public static boolean running(PodInfo p) {
    return "Running".equals(p.getPhase()) && !p.getPodIp().isEmpty();
  }

  public boolean ztunnelReady(String node) {
    return Files.exists(home.podsSocket(state.prefix(), node)) && alive("ztunnel-" + node);
  }

  public boolean alive(String component) {
    return state.components().stream()
        .filter(c -> c.name().equals(component))
        .anyMatch(Components::alive);
  }

  /** Whether every ztunnel is ready and every pod runs with an address. */
  public boolean ready(List<PodInfo> pods) {
    for (int i = 1; i <= state.nodes(); i++) {
      if (!ztunnelReady(MeshLayout.nodeName(i))) {
        return false;
      }
    }
    return pods.stream().allMatch(MeshSummary::running);
  }

  public void print(ManagementClient client, PrintWriter out) throws Exception {
    out.printf(
        "Mesh %s: control plane %s at %s (xDS :15012)%n%n",
        state.prefix(), alive("control") ? "running" : "NOT RUNNING", MeshLayout.FABRIC_ADDRESS);
    out.printf("%-8s %-13s %-10s %-8s%n", "NODE", "ADDRESS", "ZTUNNEL", "AGENT");
    for (int i = 1; i <= state.nodes(); i++) {
      String n = MeshLayout.nodeName(i);
      out.printf(
          "%-8s %-13s %-10s %-8s%n",
          n,
          MeshLayout.nodeAddress(i),
          ztunnelReady(n) ? "ready" : "not ready",
          alive("node-agent-" + n) ? "running" : "stopped");
    }
    out.println();
    if (client == null) {
      out.println("(control plane unreachable: no pods to show)");
      out.flush();
      return;
    }
    out.printf(
        "%-12s %-20s %-7s %-12s %-9s %-8s %-5s%n",
        "NAMESPACE", "POD", "NODE", "IP", "STATUS", "ENROLLED", "READY");
    for (PodInfo p : ControlQueries.pods(client)) {
      out.printf(
          "%-12s %-20s %-7s %-12s %-9s %-8s %-5s%n",
          p.getNamespace(),
          p.getName(),
          p.getNode(),
          p.getPodIp(),
          p.getPhase().isEmpty() ? "Pending" : p.getPhase(),
          p.getAmbient() ? "yes" : "no",
          running(p) ? "yes" : "no");
    }
    var gateways =
        client
            .stub()
            .get(GetRequest.newBuilder().setKind("Gateway").setAllNamespaces(true).build())
            .getObjectsList();
    if (!gateways.isEmpty()) {
      out.println();
      out.printf("%-12s %-20s %-15s%n", "NAMESPACE", "WAYPOINT", "ADDRESS");
      for (var g : gateways) {
        out.printf(
            "%-12s %-20s %-15s%n",
            g.getRef().getNamespace(), g.getRef().getName(), ControlQueries.column(g, "ADDRESS"));
      }
    }
    out.flush();
  }
}
