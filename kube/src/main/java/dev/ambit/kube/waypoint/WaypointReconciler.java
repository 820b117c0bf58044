package dev.ambit.kube.waypoint;

import dev.ambit.api.Kind;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.GatewaySpec;
import dev.ambit.api.store.ConfigStore;
import dev.ambit.api.store.Watch;
import dev.ambit.control.state.Labels;
import dev.ambit.kube.source.Informers;
import dev.ambit.kube.source.KubeKinds;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waypoint controller for Kubernetes (controller name {@value #CONTROLLER_NAME}).
 *
 * <ul>
 *   <li>For every Gateway of class {@code istio-waypoint} it keeps a ServiceAccount, Deployment and
 *       Service named like the Gateway and owned by it ({@link WaypointResources}). Replicas come
 *       from the annotation {@code ambit.dev/replicas} (default 1) and are left alone while a
 *       HorizontalPodAutoscaler targets the Deployment. Objects of that name it does not manage are
 *       never touched. When the Gateway goes (or changes class) they are deleted.
 *   <li>It writes the Gateway's status: {@code addresses} (the Service's ClusterIP) and the
 *       conditions {@code Accepted} and {@code Programmed} (false with reason {@code
 *       AddressNotAssigned} until the Service has a ClusterIP), with {@code observedGeneration}.
 *   <li>It writes {@code status.parents} of HTTPRoutes for the parents it serves (Services, and
 *       waypoint Gateways): {@code Accepted} and {@code ResolvedRefs}; other controllers' entries
 *       stay.
 * </ul>
 *
 * All work runs on one thread; events only mark what to look at again, so bursts coalesce. A status
 * or object is written only when it differs, so its own writes (seen again through the informers)
 * settle immediately.
 */
public final class WaypointReconciler implements AutoCloseable {

  public static final String CONTROLLER_NAME = "ambit.dev/waypoint-controller";
  static final String CONFIG_HASH = "ambit.dev/config-hash";
  private static final Logger log = LoggerFactory.getLogger(WaypointReconciler.class);

  private final KubernetesClient client;
  private final ConfigStore store;
  private final WaypointTemplate template;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("ambit-waypoints").factory());
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final Set<String> dirtyGateways = new LinkedHashSet<>();
  private boolean routesDirty;
  private boolean scheduled;
  private SharedIndexInformer<GenericKubernetesResource> gateways;
  private SharedIndexInformer<GenericKubernetesResource> routes;
  private Watch storeWatch;

  public WaypointReconciler(KubernetesClient client, ConfigStore store, WaypointTemplate template) {
    this.client = client;
    this.store = store;
    this.template = template;
  }

  /** Starts watching; returns once the informers have listed. */
  public WaypointReconciler start(Duration timeout) {
    gateways =
        inform(
            client
                .genericKubernetesResources(KubeKinds.GATEWAY)
                .inAnyNamespace()
                .runnableInformer(0),
            this::gatewayChanged);
    routes =
        inform(
            client
                .genericKubernetesResources(KubeKinds.HTTP_ROUTE)
                .inAnyNamespace()
                .runnableInformer(0),
            r -> routeChanged());
    inform(
        client
            .apps()
            .deployments()
            .inAnyNamespace()
            .withLabel(Labels.MANAGED, Labels.MANAGED_VALUE)
            .runnableInformer(0),
        this::ownedChanged);
    inform(
        client
            .services()
            .inAnyNamespace()
            .withLabel(Labels.MANAGED, Labels.MANAGED_VALUE)
            .runnableInformer(0),
        this::ownedChanged);
    for (SharedIndexInformer<?> informer : informers) {
      try {
        informer.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        log.warn("waypoint controller: an informer did not list yet ({}); it keeps retrying", e);
      }
    }
    storeWatch =
        store.watch(
            (events, snapshot) -> {
              if (events.stream()
                  .anyMatch(
                      e ->
                          e.object().kind() == Kind.SERVICE || e.object().kind() == Kind.GATEWAY)) {
                markRoutes();
              }
            });
    return this;
  }

  private <T extends HasMetadata> SharedIndexInformer<T> inform(
      SharedIndexInformer<T> informer, Consumer<T> changed) {
    informer.exceptionHandler((started, t) -> true);
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T obj) {
            changed.accept(obj);
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            changed.accept(newObj);
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            changed.accept(obj);
          }
        });
    informers.add(informer);
    return informer;
  }

  private void gatewayChanged(GenericKubernetesResource gw) {
    mark(gw.getMetadata().getNamespace() + "/" + gw.getMetadata().getName());
  }

  /** Routes count towards their Gateways' listeners: every waypoint Gateway is looked at again. */
  private synchronized void routeChanged() {
    if (gateways != null) {
      for (GenericKubernetesResource gw : gateways.getStore().list()) {
        dirtyGateways.add(gw.getMetadata().getNamespace() + "/" + gw.getMetadata().getName());
      }
    }
    markRoutes();
  }

  private void ownedChanged(HasMetadata owned) {
    Map<String, String> labels = owned.getMetadata().getLabels();
    if (labels != null && labels.get(Labels.GATEWAY_NAME) != null) {
      mark(owned.getMetadata().getNamespace() + "/" + labels.get(Labels.GATEWAY_NAME));
    }
  }

  private synchronized void mark(String gatewayKey) {
    dirtyGateways.add(gatewayKey);
    routesDirty = true;
    schedule(0);
  }

  private synchronized void markRoutes() {
    routesDirty = true;
    schedule(0);
  }

  private synchronized void schedule(long delayMillis) {
    if (!scheduled && !executor.isShutdown()) {
      scheduled = true;
      executor.schedule(this::drain, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void drain() {
    List<String> gws;
    boolean doRoutes;
    synchronized (this) {
      scheduled = false;
      gws = new ArrayList<>(dirtyGateways);
      dirtyGateways.clear();
      doRoutes = routesDirty;
      routesDirty = false;
    }
    for (String key : gws) {
      try {
        reconcileGateway(key);
      } catch (KubernetesClientException e) {
        log.warn("waypoint {}: {}; retrying", key, e.getMessage());
        retryLater(() -> dirtyGateways.add(key));
      }
    }
    if (doRoutes) {
      try {
        reconcileRoutes();
      } catch (KubernetesClientException e) {
        log.warn("HTTPRoute status: {}; retrying", e.getMessage());
        retryLater(() -> routesDirty = true);
      }
    }
  }

  private synchronized void retryLater(Runnable markAgain) {
    markAgain.run();
    schedule(1000);
  }

  private void reconcileGateway(String key) {
    GenericKubernetesResource gw = gateways.getStore().getByKey(key);
    String ns = key.substring(0, key.indexOf('/'));
    String name = key.substring(key.indexOf('/') + 1);
    if (gw == null || !isWaypoint(gw)) {
      removeOwned(ns, name);
      return;
    }
    String problem = ensureOwned(gw);
    Service svc = client.services().inNamespace(ns).withName(name).get();
    String ip = svc == null || problem != null ? null : svc.getSpec().getClusterIP();
    boolean hasIp = ip != null && !ip.isEmpty() && !"None".equals(ip);
    writeGatewayStatus(gw, hasIp ? ip : null, problem);
  }

  public static boolean isWaypoint(GenericKubernetesResource gw) {
    Object spec = gw.getAdditionalProperties().get("spec");
    return spec instanceof Map<?, ?> m
        && GatewaySpec.WAYPOINT_CLASS.equals(m.get("gatewayClassName"));
  }

  /** Creates or updates the owned objects; returns why it could not, or null. */
  private String ensureOwned(GenericKubernetesResource gw) {
    String ns = gw.getMetadata().getNamespace();
    String name = gw.getMetadata().getName();
    if (client.serviceAccounts().inNamespace(ns).withName(name).get() == null) {
      client
          .serviceAccounts()
          .inNamespace(ns)
          .resource(WaypointResources.serviceAccount(gw))
          .create();
    }
    Service wantSvc = WaypointResources.service(gw);
    Service haveSvc = client.services().inNamespace(ns).withName(name).get();
    if (haveSvc != null && !managed(haveSvc)) {
      return "a Service " + name + " exists that Ambit does not manage";
    }
    stamp(wantSvc, wantSvc.getSpec());
    if (haveSvc == null) {
      client.services().inNamespace(ns).resource(wantSvc).create();
      log.info("waypoint {}/{}: created Service", ns, name);
    } else if (!hash(haveSvc).equals(hash(wantSvc))) {
      client
          .services()
          .inNamespace(ns)
          .withName(name)
          .edit(
              s -> {
                s.getMetadata().setLabels(wantSvc.getMetadata().getLabels());
                s.getMetadata().setAnnotations(wantSvc.getMetadata().getAnnotations());
                s.getMetadata().setOwnerReferences(wantSvc.getMetadata().getOwnerReferences());
                s.getSpec().setSelector(wantSvc.getSpec().getSelector());
                s.getSpec().setPorts(wantSvc.getSpec().getPorts());
                return s;
              });
    }
    Deployment have = client.apps().deployments().inNamespace(ns).withName(name).get();
    if (have != null && !managed(have)) {
      return "a Deployment " + name + " exists that Ambit does not manage";
    }
    boolean scaled = scaledByAutoscaler(ns, name);
    Deployment want = WaypointResources.deployment(gw, template, null);
    stamp(want, want.getSpec());
    Integer replicas = WaypointResources.replicas(gw);
    if (have == null) {
      want.getSpec().setReplicas(replicas);
      client.apps().deployments().inNamespace(ns).resource(want).create();
      log.info("waypoint {}/{}: created Deployment ({} replicas)", ns, name, replicas);
    } else if (!hash(have).equals(hash(want))
        || (!scaled && !Objects.equals(have.getSpec().getReplicas(), replicas))) {
      client
          .apps()
          .deployments()
          .inNamespace(ns)
          .withName(name)
          .edit(
              d -> {
                Integer keep = d.getSpec().getReplicas();
                d.getMetadata().setLabels(want.getMetadata().getLabels());
                d.getMetadata().setAnnotations(want.getMetadata().getAnnotations());
                d.getMetadata().setOwnerReferences(want.getMetadata().getOwnerReferences());
                d.setSpec(want.getSpec());
                d.getSpec().setReplicas(scaled ? keep : replicas);
                return d;
              });
      log.info("waypoint {}/{}: updated Deployment", ns, name);
    }
    return null;
  }

  private boolean scaledByAutoscaler(String ns, String deployment) {
    return client
        .autoscaling()
        .v2()
        .horizontalPodAutoscalers()
        .inNamespace(ns)
        .list()
        .getItems()
        .stream()
        .anyMatch(
            h ->
                h.getSpec() != null
                    && h.getSpec().getScaleTargetRef() != null
                    && "Deployment".equals(h.getSpec().getScaleTargetRef().getKind())
                    && deployment.equals(h.getSpec().getScaleTargetRef().getName()));
  }

  private void removeOwned(String ns, String gateway) {
    Map<String, String> labels =
        Map.of(Labels.GATEWAY_NAME, gateway, Labels.MANAGED, Labels.MANAGED_VALUE);
    boolean any =
        !client.apps().deployments().inNamespace(ns).withLabels(labels).delete().isEmpty();
    any |= !client.services().inNamespace(ns).withLabels(labels).delete().isEmpty();
    any |= !client.serviceAccounts().inNamespace(ns).withLabels(labels).delete().isEmpty();
    if (any) {
      log.info("waypoint {}/{}: removed its Deployment, Service and ServiceAccount", ns, gateway);
    }
  }

  private void writeGatewayStatus(GenericKubernetesResource gw, String ip, String problem) {
    Map<String, Object> old = asMap(gw.getAdditionalProperties().get("status"));
    List<Map<String, Object>> previous = Conditions.of(old.get("conditions"));
    Long generation = gw.getMetadata().getGeneration();
    Map<String, Object> status = new LinkedHashMap<>();
    status.put(
        "addresses", ip == null ? List.of() : List.of(Map.of("type", "IPAddress", "value", ip)));
    String programmedWhy =
        problem != null
            ? problem
            : ip == null
                ? "waiting for the waypoint Service to get a ClusterIP"
                : "waypoint Deployment and Service are in place";
    status.put(
        "conditions",
        List.of(
            Conditions.condition(
                "Accepted",
                true,
                "Accepted",
                "accepted by " + CONTROLLER_NAME,
                generation,
                previous),
            Conditions.condition(
                "Programmed",
                problem == null && ip != null,
                problem != null ? "Invalid" : ip == null ? "AddressNotAssigned" : "Programmed",
                programmedWhy,
                generation,
                previous)));
    status.put(
        "listeners",
        ListenerStatus.of(
            gw,
            routes.getStore().list(),
            problem == null && ip != null,
            Conditions.of(old.get("listeners"))));
    if (sameJson(old, status)) {
      return;
    }
    GenericKubernetesResource copy = client.getKubernetesSerialization().clone(gw);
    copy.setAdditionalProperty("status", status);
    client.genericKubernetesResources(KubeKinds.GATEWAY).resource(copy).updateStatus();
    log.info(
        "waypoint {}/{}: status Programmed={} address={}",
        gw.getMetadata().getNamespace(),
        gw.getMetadata().getName(),
        problem == null && ip != null,
        ip);
  }

  private void reconcileRoutes() {
    for (GenericKubernetesResource route : routes.getStore().list()) {
      Map<String, Object> spec = asMap(route.getAdditionalProperties().get("spec"));
      Map<String, Object> old = asMap(route.getAdditionalProperties().get("status"));
      RouteStatus computed =
          new RouteStatus(route, spec, this::serviceExists, this::waypointGatewayExists);
      Map<String, Object> status = computed.merged(old);
      if (sameJson(old, status)) {
        continue;
      }
      GenericKubernetesResource copy = client.getKubernetesSerialization().clone(route);
      copy.setAdditionalProperty("status", status);
      client.genericKubernetesResources(KubeKinds.HTTP_ROUTE).resource(copy).updateStatus();
      log.info(
          "HTTPRoute {}/{}: status written",
          route.getMetadata().getNamespace(),
          route.getMetadata().getName());
    }
  }

  private boolean serviceExists(String ns, String name) {
    return store.get(ServiceSpec.class, ns, name).isPresent();
  }

  private boolean waypointGatewayExists(String ns, String name) {
    GenericKubernetesResource gw = gateways.getStore().getByKey(ns + "/" + name);
    return gw != null && isWaypoint(gw);
  }

  /** Equal as JSON values (key order and number types aside). */
  private boolean sameJson(Object a, Object b) {
    var json = client.getKubernetesSerialization();
    return json.unmarshal(json.asJson(a), Map.class)
        .equals(json.unmarshal(json.asJson(b), Map.class));
  }

  private static boolean managed(HasMetadata o) {
    Map<String, String> labels = o.getMetadata().getLabels();
    return labels != null && Labels.MANAGED_VALUE.equals(labels.get(Labels.MANAGED));
  }

  /** Records the hash of what Ambit wants in an annotation, to notice when that changes. */
  private void stamp(HasMetadata o, Object spec) {
    Map<String, String> annotations = new LinkedHashMap<>();
    if (o.getMetadata().getAnnotations() != null) {
      annotations.putAll(o.getMetadata().getAnnotations());
    }
    String what =
        client.getKubernetesSerialization().asJson(spec)
            + o.getMetadata().getLabels()
            + o.getMetadata().getOwnerReferences();
    annotations.put(CONFIG_HASH, sha256(what));
    o.getMetadata().setAnnotations(annotations);
  }

  private static String hash(HasMetadata o) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? "" : Objects.requireNonNullElse(a.get(CONFIG_HASH), "");
  }

  private static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)))
          .substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> asMap(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @Override
  public void close() {
    if (storeWatch != null) {
      storeWatch.close();
    }
    Informers.close(informers);
    executor.shutdownNow();
  }
}
