package dev.ambit.kube.identity;

import dev.ambit.api.Kind;
import dev.ambit.api.gateway.GatewaySpec;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.api.store.ConfigStore;
import dev.ambit.api.store.Watch;
import dev.ambit.kube.source.Informers;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes the mesh root certificate, against which ztunnels and waypoints verify the control
 * plane, as a ConfigMap (key {@value #KEY}) in the control plane's namespace and in every namespace
 * that has a waypoint Gateway. A ConfigMap that is deleted or edited is put back; its labels and
 * annotations other than its own are kept.
 */
public final class RootConfigMaps implements AutoCloseable {

  public static final String KEY = "root-cert.pem";
  static final String LABEL = "ambit.dev/ca-root";

  private static final Logger log = LoggerFactory.getLogger(RootConfigMaps.class);

  private final KubernetesClient client;
  private final ConfigStore store;
  private final String home;
  private final String name;
  private final String rootPem;
  private final ScheduledExecutorService executor =
      Executors.newSingleThreadScheduledExecutor(
          Thread.ofPlatform().daemon().name("ambit-ca-root").factory());
  private final Set<String> dirty = new LinkedHashSet<>();
  private boolean scheduled;
  private SharedIndexInformer<ConfigMap> informer;
  private Watch storeWatch;

  /**
   * @param home the control plane's namespace, which always gets the ConfigMap
   * @param name the ConfigMap's name
   * @param rootPem the root certificate(s), PEM
   */
  public RootConfigMaps(
      KubernetesClient client, ConfigStore store, String home, String name, String rootPem) {
    this.client = client;
    this.store = store;
    this.home = home;
    this.name = name;
    this.rootPem = rootPem;
  }

  /** Starts watching; returns once the existing ConfigMaps are listed. */
  public RootConfigMaps start(Duration timeout) {
    informer =
        client.configMaps().inAnyNamespace().withField("metadata.name", name).runnableInformer(0);
    informer.exceptionHandler((started, t) -> true);
    informer.addEventHandler(
        new ResourceEventHandler<>() {
          @Override
          public void onAdd(ConfigMap cm) {
            mark(Set.of(cm.getMetadata().getNamespace()));
          }

          @Override
          public void onUpdate(ConfigMap old, ConfigMap cm) {
            mark(Set.of(cm.getMetadata().getNamespace()));
          }

          @Override
          public void onDelete(ConfigMap cm, boolean finalStateUnknown) {
            mark(Set.of(cm.getMetadata().getNamespace()));
          }
        });
    try {
      informer.start().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn(
          "ConfigMaps {} not listed yet ({}); the informer keeps retrying", name, e.toString());
    }
    storeWatch =
        store.watch(
            (events, snapshot) -> {
              if (events.stream().anyMatch(e -> e.object().kind() == Kind.GATEWAY)) {
                mark(namespaces(snapshot));
              }
            });
    mark(namespaces(store.snapshot()));
    return this;
  }

  /** The control plane's namespace and every namespace with a waypoint Gateway. */
  private Set<String> namespaces(ConfigSnapshot snapshot) {
    Set<String> out = new LinkedHashSet<>();
    out.add(home);
    snapshot.list(GatewaySpec.class, null).stream()
        .filter(g -> GatewaySpec.WAYPOINT_CLASS.equals(g.spec().gatewayClassName()))
        .map(g -> g.namespace())
        .collect(Collectors.toCollection(() -> out));
    return out;
  }

  private synchronized void mark(Set<String> namespaces) {
    dirty.addAll(namespaces);
    schedule(0);
  }

  private synchronized void schedule(long delayMillis) {
    if (!scheduled && !executor.isShutdown()) {
      scheduled = true;
      executor.schedule(this::drain, delayMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void drain() {
    List<String> todo;
    synchronized (this) {
      scheduled = false;
      todo = List.copyOf(dirty);
      dirty.clear();
    }
    Set<String> wanted = namespaces(store.snapshot());
    for (String ns : todo) {
      if (!wanted.contains(ns)) {
        continue;
      }
      try {
        ensure(ns);
      } catch (KubernetesClientException e) {
        log.warn("ConfigMap {}/{}: {}; retrying", ns, name, e.getMessage());
        synchronized (this) {
          dirty.add(ns);
          schedule(1000);
        }
      }
    }
  }

  private void ensure(String ns) {
    ConfigMap have = informer.getStore().getByKey(ns + "/" + name);
    if (have == null) {
      have = client.configMaps().inNamespace(ns).withName(name).get();
    }
    if (have == null) {
      client
          .configMaps()
          .inNamespace(ns)
          .resource(
              new ConfigMapBuilder()
                  .withNewMetadata()
                  .withName(name)
                  .withNamespace(ns)
                  .withLabels(Map.of(LABEL, "true"))
                  .endMetadata()
                  .withData(Map.of(KEY, rootPem))
                  .build())
          .create();
      log.info("published the mesh root in ConfigMap {}/{}", ns, name);
    } else if (have.getData() == null
        || !rootPem.equals(have.getData().get(KEY))
        || have.getData().size() != 1) {
      client
          .configMaps()
          .inNamespace(ns)
          .withName(name)
          .edit(
              cm -> {
                cm.setData(Map.of(KEY, rootPem));
                cm.setBinaryData(null);
                return cm;
              });
      log.info("ConfigMap {}/{} did not hold the mesh root; rewritten", ns, name);
    }
  }

  @Override
  public void close() {
    if (storeWatch != null) {
      storeWatch.close();
    }
    if (informer != null) {
      Informers.close(List.of(informer));
    }
    executor.shutdownNow();
  }
}
