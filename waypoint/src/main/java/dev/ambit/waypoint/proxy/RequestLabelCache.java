package dev.ambit.waypoint.proxy;

import dev.ambit.proto.workload.Workload;
import dev.ambit.waypoint.config.Endpoint;
import dev.ambit.waypoint.config.MeshView;
import dev.ambit.waypoint.config.ServiceInfo;
import dev.ambit.waypoint.metrics.RequestLabels;
import dev.ambit.waypoint.metrics.RequestMetrics;
import io.netty.util.concurrent.FastThreadLocal;
import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds the metric label set of a request without allocating when one of the last few requests on
 * the same thread had the same source and destination, which is the steady state of kept-alive
 * traffic. Entries are matched by the identity of the configuration objects (mesh view, endpoint,
 * service: a new configuration snapshot makes new ones, so a stale entry never matches) and by the
 * value of the downstream principal, source address and protocol. A miss builds the label key and
 * looks it up in {@link RequestMetrics}, as every request did before.
 */
public final class RequestLabelCache {

  private static final int ENTRIES = 8;

  private final RequestMetrics metrics;
  private final FastThreadLocal<Entry[]> recent =
      new FastThreadLocal<>() {
        @Override
        protected Entry[] initialValue() {
          Entry[] entries = new Entry[ENTRIES];
          for (int i = 0; i < ENTRIES; i++) {
            entries[i] = new Entry();
          }
          return entries;
        }
      };

  public RequestLabelCache(RequestMetrics metrics) {
    this.metrics = metrics;
  }

  /**
   * The label set of a request from {@code d} to {@code ep} of {@code svc} (either may be null).
   */
  public RequestLabels labels(
      Downstream d, MeshView mesh, Endpoint ep, ServiceInfo svc, String protocol) {
    Entry[] entries = recent.get();
    for (Entry e : entries) {
      if (e.matches(d, mesh, ep, svc, protocol)) {
        return e.labels;
      }
    }
    RequestLabels labels = metrics.labels(key(d, mesh, ep, svc, protocol));
    Entry victim = entries[entries[0].next];
    entries[0].next = (entries[0].next + 1) % ENTRIES;
    victim.set(d, mesh, ep, svc, protocol, labels);
    return labels;
  }

  /** The label key of traffic from {@code d} to {@code ep} of {@code svc} (either may be null). */
  static RequestMetrics.LabelKey key(
      Downstream d, MeshView mesh, Endpoint ep, ServiceInfo svc, String protocol) {
    Optional<Workload> src = d.sourceIp() == null ? Optional.empty() : mesh.workload(d.sourceIp());
    return new RequestMetrics.LabelKey(
        src.map(w -> w.getWorkloadName().isEmpty() ? w.getName() : w.getWorkloadName())
            .orElse(null),
        src.map(Workload::getNamespace)
            .orElse(d.principal() == null ? null : namespaceOf(d.principal())),
        d.principal(),
        ep == null ? null : ep.workloadName(),
        ep == null ? null : ep.namespace(),
        ep == null ? null : ep.identity(),
        svc == null ? null : svc.hostname(),
        svc == null ? null : svc.name(),
        svc == null ? null : svc.namespace(),
        protocol);
  }

  private static String namespaceOf(String principal) {
    int i = principal.indexOf("/ns/");
    if (i < 0) {
      return null;
    }
    int end = principal.indexOf('/', i + 4);
    return end < 0 ? principal.substring(i + 4) : principal.substring(i + 4, end);
  }

  private static final class Entry {
    MeshView mesh;
    String principal;
    InetAddress source;
    Endpoint endpoint;
    ServiceInfo service;
    String protocol;
    RequestLabels labels;
    int next; // used in the first entry only: the next one to replace

    boolean matches(Downstream d, MeshView m, Endpoint ep, ServiceInfo svc, String proto) {
      return labels != null
          && mesh == m
          && endpoint == ep
          && service == svc
          && protocol.equals(proto)
          && Objects.equals(principal, d.principal())
          && Objects.equals(source, d.sourceIp());
    }

    void set(
        Downstream d, MeshView m, Endpoint ep, ServiceInfo svc, String proto, RequestLabels l) {
      mesh = m;
      principal = d.principal();
      source = d.sourceIp();
      endpoint = ep;
      service = svc;
      protocol = proto;
      labels = l;
    }
  }
}
