package dev.ambit.control.reconcile;

import dev.ambit.api.IntOrString;
import dev.ambit.api.Kind;
import dev.ambit.api.ObjectMeta;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.core.Container;
import dev.ambit.api.core.ContainerPort;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.ServicePort;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.GatewaySpec;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.api.store.ConfigStore;
import dev.ambit.control.state.Labels;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deploys waypoints: for every Gateway of class {@code istio-waypoint} it keeps a Service of the
 * same name (port 15008 "mesh", VIP assigned like any service) and N Pods {@code <gateway>-<i>} (N
 * from the annotation {@code ambit.dev/replicas}, default 1) in the store. The pods run image
 * {@code ambit/waypoint} with service account = gateway name, carry {@code
 * gateway.networking.k8s.io/gateway-name} and {@code istio.io/dataplane-mode: none} (a waypoint is
 * not captured; it speaks HBONE itself), and are scheduled like other pods, so local-mode node
 * agents run them. Objects it created carry {@code gateway.istio.io/managed} and are removed with
 * their Gateway.
 */
public final class WaypointController {

  private static final Logger log = LoggerFactory.getLogger(WaypointController.class);
  public static final String IMAGE = "ambit/waypoint";

  /** The objects carrying the managed label, kept up to date from the changed keys. */
  private final Set<ResourceKey> managedKeys = new HashSet<>();

  /**
   * Brings the waypoint deployments in line with the Gateways. {@code changed}: the keys changed
   * since the last call, or null to look at every object (the first call).
   */
  public synchronized void reconcile(
      ConfigSnapshot config, ConfigStore store, Collection<ResourceKey> changed) {
    if (changed == null) {
      managedKeys.clear();
      for (Kind kind : List.of(Kind.POD, Kind.SERVICE)) {
        config.list(kind, null).stream()
            .filter(WaypointController::managed)
            .forEach(r -> managedKeys.add(r.key()));
      }
    } else {
      for (ResourceKey key : changed) {
        if (config.get(key).filter(WaypointController::managed).isPresent()) {
          managedKeys.add(key);
        } else {
          managedKeys.remove(key);
        }
      }
    }
    Map<ResourceKey, Resource<?>> desired = new HashMap<>();
    for (Resource<GatewaySpec> gw : config.list(GatewaySpec.class, null)) {
      if (!gw.spec().isWaypoint()) {
        continue;
      }
      Resource<ServiceSpec> svc = service(gw);
      Optional<Resource<ServiceSpec>> existing =
          config.get(ServiceSpec.class, gw.namespace(), gw.name());
      if (existing.isPresent() && !managed(existing.get())) {
        log.warn(
            "waypoint {}/{}: a Service of that name exists and is not managed; not replacing it",
            gw.namespace(),
            gw.name());
      } else {
        desired.put(svc.key(), svc);
      }
      for (Resource<PodSpec> pod : pods(gw)) {
        desired.put(pod.key(), pod);
      }
    }
    List<Resource<?>> puts = new ArrayList<>();
    for (Resource<?> want : desired.values()) {
      Optional<Resource<?>> have = config.get(want.key());
      Resource<?> merged = keepOwnedFields(want, have);
      if (have.isEmpty()
          || !have.get().spec().equals(merged.spec())
          || !have.get().metadata().labels().equals(merged.metadata().labels())) {
        puts.add(merged);
      }
    }
    Set<ResourceKey> deletes = new HashSet<>();
    for (ResourceKey key : managedKeys) {
      if (!desired.containsKey(key) && config.get(key).isPresent()) {
        deletes.add(key);
      }
    }
    if (puts.isEmpty() && deletes.isEmpty()) {
      return;
    }
    try {
      store.apply(puts, deletes);
      log.info(
          "waypoints: applied {}, deleted {}", puts.stream().map(Resource::key).toList(), deletes);
    } catch (Exception e) {
      log.warn("cannot update waypoint deployments: {}", e.getMessage());
    }
  }

  /** The node a scheduler chose and the VIP an allocator assigned stay. */
  private static Resource<?> keepOwnedFields(Resource<?> want, Optional<Resource<?>> have) {
    if (have.isEmpty()) {
      return want;
    }
    if (want.spec() instanceof PodSpec p && have.get().spec() instanceof PodSpec h) {
      return want.as(PodSpec.class).orElseThrow().withSpec(p.withNodeName(h.nodeName()));
    }
    if (want.spec() instanceof ServiceSpec s && have.get().spec() instanceof ServiceSpec h) {
      return want.as(ServiceSpec.class).orElseThrow().withSpec(s.withClusterIP(h.clusterIP()));
    }
    return want;
  }

  static boolean managed(Resource<?> r) {
    return Labels.MANAGED_VALUE.equals(r.metadata().labels().get(Labels.MANAGED));
  }

  private static Map<String, String> labels(Resource<GatewaySpec> gw) {
    Map<String, String> labels = new HashMap<>();
    if (gw.spec().infrastructure() != null) {
      labels.putAll(gw.spec().infrastructure().labels());
    }
    labels.put(Labels.GATEWAY_NAME, gw.name());
    labels.put(Labels.MANAGED, Labels.MANAGED_VALUE);
    return labels;
  }

  static Resource<ServiceSpec> service(Resource<GatewaySpec> gw) {
    ServiceSpec spec =
        new ServiceSpec(
            null,
            null,
            Map.of(Labels.GATEWAY_NAME, gw.name()),
            List.of(new ServicePort("mesh", null, null, 15008, IntOrString.of(15008))));
    return Resource.of(ObjectMeta.of(gw.namespace(), gw.name()).withLabels(labels(gw)), spec);
  }

  static List<Resource<PodSpec>> pods(Resource<GatewaySpec> gw) {
    int replicas = 1;
    String annotation = gw.metadata().annotations().get(Labels.REPLICAS);
    if (annotation != null) {
      try {
        replicas = Math.max(0, Integer.parseInt(annotation.trim()));
      } catch (NumberFormatException e) {
        log.warn(
            "Gateway {}/{}: {} is not a number: {}",
            gw.namespace(),
            gw.name(),
            Labels.REPLICAS,
            annotation);
      }
    }
    Map<String, String> labels = labels(gw);
    labels.put(Labels.DATAPLANE_MODE, Labels.NONE);
    List<Resource<PodSpec>> out = new ArrayList<>();
    for (int i = 0; i < replicas; i++) {
      Container c =
          new Container(
              "waypoint",
              IMAGE,
              List.of(),
              List.of("--name", gw.name(), "--namespace", gw.namespace()),
              List.of(),
              List.of(new ContainerPort("mesh", 15008, null)));
      out.add(
          Resource.of(
              ObjectMeta.of(gw.namespace(), gw.name() + "-" + i).withLabels(labels),
              new PodSpec(gw.name(), null, List.of(c))));
    }
    return out;
  }
}
