package dev.ambit.kube.source;

import dev.ambit.api.ConfigException;
import dev.ambit.api.Kind;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.store.ConfigStore;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kubernetes config source: shared informers on Namespaces, Pods, Services, EndpointSlices,
 * ServiceAccounts, AuthorizationPolicies, PeerAuthentications, Gateways and HTTPRoutes; every
 * object is translated ({@link Translator}) and applied to the control plane's {@link ConfigStore}
 * ({@link StoreSync}).
 *
 * <p>Once every informer has listed, objects in the store that Kubernetes does not have are
 * removed. Objects that do not read fail closed (AuthorizationPolicy, see {@link FailClosed}) or
 * are left out of the mesh, with a warning naming the object and the field.
 */
public final class KubeConfigSource implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KubeConfigSource.class);

  private final KubernetesClient client;
  private final Translator translator;
  private final StoreSync sync;
  private final Duration resync;
  private final List<Watched> watched = new ArrayList<>();
  private final Map<ResourceKey, String> warned = new ConcurrentHashMap<>();
  private final InitialDelivery delivery = new InitialDelivery();
  private SharedIndexInformer<Service> services;
  private SharedIndexInformer<EndpointSlice> slices;

  private record Watched(Kind kind, SharedIndexInformer<? extends HasMetadata> informer) {}

  private KubeConfigSource(KubernetesClient client, ConfigStore store, Duration resync) {
    this.client = client;
    this.translator = new Translator(client.getKubernetesSerialization());
    this.sync = new StoreSync(store);
    this.resync = resync;
  }

  /**
   * Starts the informers and returns once each has listed (or failed to, e.g. a missing CRD, which
   * is logged) and the store holds what Kubernetes holds.
   */
  public static KubeConfigSource start(
      KubernetesClient client, ConfigStore store, Duration resync, Duration timeout) {
    KubeConfigSource source = new KubeConfigSource(client, store, resync);
    try {
      source.startInformers(timeout);
    } catch (RuntimeException e) {
      source.close();
      throw e;
    }
    return source;
  }

  private void startInformers(Duration timeout) {
    watch(Kind.NAMESPACE, client.namespaces());
    watch(Kind.POD, client.pods().inAnyNamespace());
    services = watch(Kind.SERVICE, client.services().inAnyNamespace());
    slices = watchEndpointSlices();
    watch(Kind.SERVICE_ACCOUNT, client.serviceAccounts().inAnyNamespace());
    for (var context :
        List.of(
            KubeKinds.AUTHORIZATION_POLICY,
            KubeKinds.PEER_AUTHENTICATION,
            KubeKinds.GATEWAY,
            KubeKinds.HTTP_ROUTE)) {
      watch(KubeKinds.kind(context), client.genericKubernetesResources(context).inAnyNamespace());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    // the listed objects go to the store in one commit, once all of them are translated
    sync.hold();
    List<SharedIndexInformer<?>> synced = new ArrayList<>();
    Set<Kind> listed = EnumSet.noneOf(Kind.class);
    Set<ResourceKey> present = new HashSet<>();
    List<CompletableFuture<?>> starts = new ArrayList<>();
    CompletableFuture<?> slicesListed = slices.start().toCompletableFuture();
    for (Watched w : watched) {
      starts.add(w.informer().start().toCompletableFuture());
    }
    for (int i = 0; i < watched.size(); i++) {
      Watched w = watched.get(i);
      CompletableFuture<?> started = starts.get(i);
      try {
        started.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        listed.add(w.kind());
        synced.add(w.informer());
        for (HasMetadata o : w.informer().getStore().list()) {
          present.add(key(w.kind(), o));
        }
      } catch (ExecutionException | TimeoutException e) {
        if (!KubeKinds.isCustom(w.kind())) {
          throw new IllegalStateException(
              "cannot list " + w.kind().kindName() + " within " + timeout + ": " + e, e);
        }
        log.warn(
            "{} not listed yet (is its CRD installed?); the informer keeps retrying",
            w.kind().kindName());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while listing", e);
      }
    }
    try {
      slicesListed.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      synced.add(slices);
      if (!delivery.await(synced, deadline)) {
        throw new TimeoutException("the informers did not deliver what they listed");
      }
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot list within " + timeout + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing", e);
    }
    delivery.finish();
    sync.prune(listed, present);
    sync.release();
    try {
      if (!awaitIdle(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
        throw new IllegalStateException("the listed objects did not reach the store in time");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing", e);
    }
    log.info(
        "Kubernetes config source synced: {} kinds listed, {} objects",
        listed.size(),
        present.size());
  }

  /**
   * EndpointSlices ({@code discovery.k8s.io/v1}) are not mirrored themselves: a change re-offers
   * the Service they belong to (label {@code kubernetes.io/service-name}), whose translation names
   * the ready pod endpoints when it has no selector ({@link EndpointPods}).
   */
  private SharedIndexInformer<EndpointSlice> watchEndpointSlices() {
    SharedIndexInformer<EndpointSlice> informer =
        client.discovery().v1().endpointSlices().inAnyNamespace().runnableInformer(0);
    informer.exceptionHandler(
        (started, t) -> {
          log.warn("EndpointSlice informer: {}; retrying", t.toString());
          return true;
        });
    informer.addEventHandler(
        new ResourceEventHandler<EndpointSlice>() {
          @Override
          public void onAdd(EndpointSlice slice) {
            serviceOf(slice);
            delivery.saw(informer, slice);
          }

          @Override
          public void onUpdate(EndpointSlice oldSlice, EndpointSlice slice) {
            serviceOf(slice);
            delivery.saw(informer, slice);
          }

          @Override
          public void onDelete(EndpointSlice slice, boolean deletedFinalStateUnknown) {
            serviceOf(slice);
            delivery.saw(informer, slice);
          }
        });
    return informer;
  }

  private void serviceOf(EndpointSlice slice) {
    String service = EndpointPods.serviceName(slice);
    if (service == null || services == null) {
      return;
    }
    Service svc = services.getStore().getByKey(slice.getMetadata().getNamespace() + "/" + service);
    if (svc != null) {
      offer(Kind.SERVICE, svc);
    }
  }

  private <T extends HasMetadata> SharedIndexInformer<T> watch(
      Kind kind, Informable<T> informable) {
    SharedIndexInformer<T> informer = informable.runnableInformer(resync.toMillis());
    informer.exceptionHandler(
        (started, t) -> {
          log.warn("{} informer: {}; retrying", kind.kindName(), t.toString());
          return true;
        });
    informer.addEventHandler(
        new ResourceEventHandler<T>() {
          @Override
          public void onAdd(T obj) {
            offer(kind, obj);
            delivery.saw(informer, obj);
          }

          @Override
          public void onUpdate(T oldObj, T newObj) {
            offer(kind, newObj);
            delivery.saw(informer, newObj);
          }

          @Override
          public void onDelete(T obj, boolean deletedFinalStateUnknown) {
            sync.offer(key(kind, obj), Optional.empty());
            delivery.saw(informer, obj);
          }
        });
    watched.add(new Watched(kind, informer));
    return informer;
  }

  private void offer(Kind kind, HasMetadata object) {
    ResourceKey key = key(kind, object);
    Optional<Resource<?>> translated;
    try {
      translated = translator.translate(kind, object);
      if (kind == Kind.SERVICE) {
        translated = translated.map(r -> EndpointPods.annotate(r, slices.getStore().list()));
      }
      warned.remove(key);
    } catch (ConfigException e) {
      translated = unreadable(kind, object, key, e);
    }
    sync.offer(key, translated);
  }

  private Optional<Resource<?>> unreadable(
      Kind kind, HasMetadata object, ResourceKey key, ConfigException e) {
    boolean policy = kind == Kind.AUTHORIZATION_POLICY;
    String version = object.getMetadata().getResourceVersion();
    if (!String.valueOf(version).equals(warned.put(key, String.valueOf(version)))) {
      log.warn(
          "{} cannot be used ({}): {}",
          Translator.describe(kind, object),
          policy ? "it fails closed on the workloads it selects" : "it is left out of the mesh",
          e.getMessage());
    }
    if (!policy) {
      return Optional.empty();
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = client.getKubernetesSerialization().convertValue(object, Map.class);
    return FailClosed.authorizationPolicy(raw);
  }

  private static ResourceKey key(Kind kind, HasMetadata o) {
    return new ResourceKey(
        kind, kind.namespaced() ? o.getMetadata().getNamespace() : null, o.getMetadata().getName());
  }

  /** Objects written to or deleted from the store so far. */
  public long written() {
    return sync.written();
  }

  /** Informer events that matched the store and changed nothing. */
  public long unchanged() {
    return sync.unchanged();
  }

  /** Informer events handled so far. */
  public long processed() {
    return sync.processed();
  }

  /** Waits until every informer event so far is in the store; false on timeout. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    return sync.awaitIdle(timeout);
  }

  @Override
  public void close() {
    List<SharedIndexInformer<?>> all =
        new ArrayList<>(watched.stream().<SharedIndexInformer<?>>map(Watched::informer).toList());
    if (slices != null) {
      all.add(slices);
    }
    Informers.close(all);
    sync.close();
  }
}
