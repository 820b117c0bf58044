package dev.ambit.cli.local;

import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.control.Column;
import dev.ambit.proto.control.PodInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Questions {@code ambit up} and {@code ambit status} ask the control plane. */
public final class ControlQueries {
  private ControlQueries() {}

  /** Every pod as node agents see it (node, IP, phase, enrolled), from a watch's initial list. */
  public static List<PodInfo> pods(ManagementClient client) throws Exception {
    List<PodInfo> pods = new ArrayList<>();
    CompletableFuture<Void> synced = new CompletableFuture<>();
    try (ManagementClient.Watch w =
        client.watchPods(
            "",
            new ManagementClient.PodListener() {
              @Override
              public void added(PodInfo pod) {
                synchronized (pods) {
                  pods.add(pod);
                }
              }

              @Override
              public void modified(PodInfo pod) {}

              @Override
              public void deleted(PodInfo pod) {}

              @Override
              public void synced() {
                synced.complete(null);
              }

              @Override
              public void closed(Throwable cause) {
                synced.completeExceptionally(
                    cause != null ? cause : new IllegalStateException("watch ended"));
              }
            })) {
      synced.get(30, TimeUnit.SECONDS);
    }
    synchronized (pods) {
      List<PodInfo> out = new ArrayList<>(pods);
      out.sort(Comparator.comparing(PodInfo::getNamespace).thenComparing(PodInfo::getName));
      return out;
    }
  }

  /** The value of a table column of an object ("" when absent). */
  public static String column(dev.ambit.proto.control.Object o, String name) {
    return o.getColumnsList().stream()
        .filter(c -> c.getName().equalsIgnoreCase(name))
        .map(Column::getValue)
        .findFirst()
        .orElse("");
  }
}
