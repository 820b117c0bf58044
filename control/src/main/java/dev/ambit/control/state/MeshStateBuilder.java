package dev.ambit.control.state;

import com.google.protobuf.Message;
import dev.ambit.api.Kind;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.HttpRouteSpec;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.security.PeerAuthenticationSpec;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.control.xds.XdsResource;
import dev.ambit.control.xds.XdsSnapshot;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.Workload;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Computes the {@link MeshState} incrementally: each call brings the state from the previous config
 * snapshot to a new one by recomputing only the outputs whose inputs changed.
 *
 * <ul>
 *   <li>a Pod's workload depends on the pod, its namespace's labels, the selecting Services and the
 *       selector AuthorizationPolicies of its namespace, the PeerAuthentications that apply to it
 *       and the waypoint Gateway (and its Service) it binds to;
 *   <li>a Service's address depends on the service, its namespace's labels and its waypoint;
 *   <li>policies and routes depend only on themselves (a port-level PeerAuthentication also on its
 *       namespace's and the mesh's mode).
 * </ul>
 *
 * A change marks exactly those outputs dirty (pods are found through per-namespace indexes and
 * selectors, waypoint users through the Gateway each binding consulted); every other output keeps
 * its object, and the new state lists, per xDS type, the names whose content changed, so publishing
 * is proportional to the change. {@link #build(ConfigSnapshot)} finds the changed keys by comparing
 * snapshots; {@link #update} takes them from the caller (e.g. from store watch events). Either way
 * the result equals a from-scratch build of the same snapshot.
 */
public final class MeshStateBuilder {

  public static final String CLUSTER = "local";
  public static final int HBONE_PORT = 15008;

  private final ConfigIndex index = new ConfigIndex();
  private final ObjectTranslator translator;

  private record PodOut(String uid, String gateway) {}

  private record ServiceOut(String xdsKey, String gateway) {}

  private final Map<String, PodOut> podOuts = new HashMap<>();
  private final Map<String, ServiceOut> serviceOuts = new HashMap<>();

  /**
   * "namespace/name" of a Gateway -> the objects ("Pod ns/name", "Service ns/name") bound to it.
   */
  private final Map<String, Set<String>> gatewayUsers = new HashMap<>();

  private final PublishedMap<Workload> workloads = new PublishedMap<>();
  private final PublishedMap<Service> services = new PublishedMap<>();
  private final PublishedMap<PodInfo> pods = new PublishedMap<>();
  private final PublishedMap<String> problems = new PublishedMap<>();
  private final PublishedMap<Authorization> authorizations = new PublishedMap<>();
  private final PublishedMap<L7Authorization> l7 = new PublishedMap<>();
  private final PublishedMap<HttpRoute> routes = new PublishedMap<>();
  private final PublishedMap<XdsResource> addressXds = new PublishedMap<>();
  private final PublishedMap<XdsResource> authorizationXds = new PublishedMap<>();
  private final PublishedMap<XdsResource> l7Xds = new PublishedMap<>();
  private final PublishedMap<XdsResource> routeXds = new PublishedMap<>();

  /** Which xDS map a policy went to, by "ns/name", so a policy moving between them is removed. */
  private final Map<String, PublishedMap<XdsResource>> policyHomes = new HashMap<>();

  private MeshState last;

  public MeshStateBuilder(String trustDomain) {
    this(trustDomain, CLUSTER);
  }

  /** {@code clusterId} is the cluster part of workload uids and the workloads' cluster id. */
  public MeshStateBuilder(String trustDomain, String clusterId) {
    this.translator = new ObjectTranslator(index, trustDomain, clusterId);
  }

  /** The workload uid of a pod in local mode (cluster {@value #CLUSTER}). */
  public static String uid(String namespace, String name) {
    return uid(CLUSTER, namespace, name);
  }

  public static String uid(String clusterId, String namespace, String name) {
    return clusterId + "//Pod/" + namespace + "/" + name;
  }

  public static String hostname(String namespace, String name) {
    return name + "." + namespace + ".svc.cluster.local";
  }

  /** The state of {@code config}, finding what changed since the last build by comparison. */
  public synchronized MeshState build(ConfigSnapshot config) {
    ConfigSnapshot previous = index.config();
    Set<ResourceKey> changed = new LinkedHashSet<>();
    Map<ResourceKey, Resource<?>> before = new HashMap<>();
    if (previous != null) {
      previous.all().forEach(r -> before.put(r.key(), r));
    }
    for (Resource<?> r : config.all()) {
      if (before.remove(r.key()) != r) {
        changed.add(r.key());
      }
    }
    changed.addAll(before.keySet());
    return update(config, changed);
  }

  /**
   * The state of {@code config}, given every key whose object differs from the last snapshot built
   * (extra keys are harmless; a missing key leaves its outputs stale).
   */
  public synchronized MeshState update(ConfigSnapshot config, Collection<ResourceKey> changed) {
    index.moveTo(config);
    Dirty dirty = new Dirty();
    for (ResourceKey key : changed) {
      Resource<?> now = config.get(key).orElse(null);
      Resource<?> old = index.update(key);
      if (old != now) {
        dirty.mark(key, old, now);
      }
    }
    dirty.pods.forEach(this::recomputePod);
    dirty.services.forEach(this::recomputeService);
    dirty.policies.forEach(this::recomputePolicy);
    dirty.routes.forEach(this::recomputeRoute);
    dirty.peerAuthentications.forEach(this::recomputePeerAuthentication);
    recomputeStaticStrict();
    last = publish(config);
    return last;
  }

  /** The outputs a set of changes makes dirty. */
  private final class Dirty {
    final Set<String> pods = new HashSet<>();
    final Set<String> services = new HashSet<>();
    final Set<String> policies = new HashSet<>();
    final Set<String> routes = new HashSet<>();
    final Set<String> peerAuthentications = new HashSet<>();

    void mark(ResourceKey key, Resource<?> old, Resource<?> now) {
      String ns = key.namespace();
      String id = ns + "/" + key.name();
      switch (key.kind()) {
        case NAMESPACE -> {
          index.pods(key.name()).forEach(p -> pods.add(key.name() + "/" + p.name()));
          index.services(key.name()).forEach(s -> services.add(key.name() + "/" + s.name()));
        }
        case POD -> pods.add(id);
        case SERVICE -> {
          services.add(id);
          podsSelectedBy(ns, serviceSelector(old));
          podsSelectedBy(ns, serviceSelector(now));
          endpointPods(old).forEach(p -> pods.add(ns + "/" + p));
          endpointPods(now).forEach(p -> pods.add(ns + "/" + p));
          gatewayUsers(id);
        }
        case GATEWAY -> gatewayUsers(id);
        case AUTHORIZATION_POLICY -> {
          policies.add(id);
          podsSelectedBy(ns, policySelector(old));
          podsSelectedBy(ns, policySelector(now));
        }
        case PEER_AUTHENTICATION -> {
          peerAuthentications.add(id);
          if (isLevelPeerAuthentication(old) || isLevelPeerAuthentication(now)) {
            // A namespace's mode, or the mesh's: every pod and port-level translation in scope.
            boolean mesh = ns.equals(L4Authorizations.ROOT_NAMESPACE);
            for (String n : List.copyOf(mesh ? index.namespacesWith(Kind.POD) : List.of(ns))) {
              podsSelectedBy(n, Map.of());
            }
            for (String n :
                List.copyOf(mesh ? index.namespacesWith(Kind.PEER_AUTHENTICATION) : List.of(ns))) {
              index
                  .peerAuthentications(n)
                  .forEach(p -> peerAuthentications.add(n + "/" + p.name()));
            }
          }
          podsSelectedBy(ns, peerSelector(old));
          podsSelectedBy(ns, peerSelector(now));
        }
        case HTTP_ROUTE -> routes.add(id);
        default -> {}
      }
    }

    private void gatewayUsers(String gateway) {
      for (String user : gatewayUsers.getOrDefault(gateway, Set.of())) {
        (user.startsWith("Pod ") ? pods : services).add(user.substring(user.indexOf(' ') + 1));
      }
    }

    /** Marks the pods of {@code ns} matching {@code selector} (null: none; empty: all). */
    private void podsSelectedBy(String ns, Map<String, String> selector) {
      if (selector == null) {
        return;
      }
      for (Resource<PodSpec> p : index.pods(ns)) {
        Map<String, String> labels = p.metadata().labels();
        if (selector.entrySet().stream()
            .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
          pods.add(ns + "/" + p.name());
        }
      }
    }
  }

  /** The pods a Service without a selector names as its endpoints. */
  private static Set<String> endpointPods(Resource<?> r) {
    return r == null ? Set.of() : Labels.endpointPods(r.metadata().annotations());
  }

  private static Map<String, String> serviceSelector(Resource<?> r) {
    return r == null ? null : r.as(ServiceSpec.class).map(s -> s.spec().selector()).orElse(null);
  }

  private static Map<String, String> policySelector(Resource<?> r) {
    return r == null
        ? null
        : r.as(AuthorizationPolicySpec.class)
            .filter(p -> ObjectTranslator.selectsWorkloads(p.spec()))
            .map(p -> p.spec().selector().matchLabels())
            .orElse(null);
  }

  private static boolean isLevelPeerAuthentication(Resource<?> r) {
    return r != null
        && r.as(PeerAuthenticationSpec.class)
            .filter(p -> !PeerAuthentications.hasSelector(p.spec()))
            .isPresent();
  }

  /** A PeerAuthentication's selector, or null when it has none (or {@code r} is null). */
  private static Map<String, String> peerSelector(Resource<?> r) {
    return r == null
        ? null
        : r.as(PeerAuthenticationSpec.class)
            .filter(p -> PeerAuthentications.hasSelector(p.spec()))
            .map(p -> p.spec().selector().matchLabels())
            .orElse(null);
  }

  private void recomputePod(String id) {
    int slash = id.indexOf('/');
    String ns = id.substring(0, slash);
    Optional<Resource<PodSpec>> pod =
        index.config().get(PodSpec.class, ns, id.substring(slash + 1));
    PodOut old = podOuts.remove(id);
    String what = "Pod " + id;
    if (old != null) {
      unbind(old.gateway(), what);
      if (pod.isEmpty()) {
        workloads.remove(old.uid());
        addressXds.remove(old.uid());
      }
    }
    if (pod.isEmpty()) {
      pods.remove(id);
      problems.remove(what);
      return;
    }
    Resource<PodSpec> p = pod.get();
    WaypointBinding binding =
        WaypointBinding.resolve(
            index.config(),
            p.metadata().labels(),
            index.namespaceLabels(ns),
            ns,
            WaypointBinding.Target.WORKLOAD);
    Workload w = translator.workload(p, binding);
    workloads.put(w.getUid(), w);
    addressXds.put(
        w.getUid(), XdsResource.of(w.getUid(), Address.newBuilder().setWorkload(w).build()));
    pods.put(id, translator.podInfo(p, w));
    setProblem(what, binding.problem());
    bind(binding.gateway(), what);
    podOuts.put(id, new PodOut(w.getUid(), binding.gateway()));
  }

  private void recomputeService(String id) {
    int slash = id.indexOf('/');
    String ns = id.substring(0, slash);
    Optional<Resource<ServiceSpec>> svc =
        index.config().get(ServiceSpec.class, ns, id.substring(slash + 1));
    ServiceOut old = serviceOuts.remove(id);
    String what = "Service " + id;
    if (old != null) {
      unbind(old.gateway(), what);
      if (svc.isEmpty()) {
        services.remove(old.xdsKey());
        addressXds.remove(old.xdsKey());
      }
    }
    if (svc.isEmpty()) {
      problems.remove(what);
      return;
    }
    Resource<ServiceSpec> s = svc.get();
    WaypointBinding binding =
        WaypointBinding.resolve(
            index.config(),
            s.metadata().labels(),
            index.namespaceLabels(ns),
            ns,
            WaypointBinding.Target.SERVICE);
    Service out = translator.service(s, binding);
    String key = ns + "/" + out.getHostname();
    services.put(key, out);
    addressXds.put(key, XdsResource.of(key, Address.newBuilder().setService(out).build()));
    setProblem(what, binding.problem());
    bind(binding.gateway(), what);
    serviceOuts.put(id, new ServiceOut(key, binding.gateway()));
  }

  private void recomputePolicy(String id) {
    int slash = id.indexOf('/');
    Optional<Resource<AuthorizationPolicySpec>> policy =
        index
            .config()
            .get(AuthorizationPolicySpec.class, id.substring(0, slash), id.substring(slash + 1));
    PublishedMap<XdsResource> home = policyHomes.remove(id);
    boolean l4 = policy.isPresent() && L4Authorizations.enforcedByZtunnel(policy.get().spec());
    if (home != null && (policy.isEmpty() || (home == authorizationXds) != l4)) {
      home.remove(id);
      authorizations.remove(id);
      l7.remove(id);
    }
    if (policy.isEmpty()) {
      return;
    }
    Resource<AuthorizationPolicySpec> p = policy.get();
    if (l4) {
      Authorization a = L4Authorizations.translate(p);
      authorizations.put(id, a);
      authorizationXds.put(id, XdsResource.of(id, a));
      policyHomes.put(id, authorizationXds);
    } else {
      L7Authorization a = L7Authorizations.translate(p);
      l7.put(id, a);
      l7Xds.put(id, XdsResource.of(id, a));
      policyHomes.put(id, l7Xds);
    }
  }

  private void recomputeRoute(String id) {
    int slash = id.indexOf('/');
    Optional<HttpRoute> route =
        index
            .config()
            .get(HttpRouteSpec.class, id.substring(0, slash), id.substring(slash + 1))
            .flatMap(HttpRoutes::translate);
    if (route.isEmpty()) {
      routes.remove(id);
      routeXds.remove(id);
      return;
    }
    routes.put(id, route.get());
    routeXds.put(id, XdsResource.of(id, route.get()));
  }

  private void recomputePeerAuthentication(String id) {
    int slash = id.indexOf('/');
    String ns = id.substring(0, slash);
    Optional<Resource<PeerAuthenticationSpec>> pa =
        index.config().get(PeerAuthenticationSpec.class, ns, id.substring(slash + 1));
    String name = ns + "/converted_peer_authentication_" + id.substring(slash + 1);
    Optional<Authorization> converted =
        pa.flatMap(
            p -> PeerAuthentications.translate(p, PeerAuthentications.namespaceMode(index, ns)));
    putAuthorization(name, converted.orElse(null));
  }

  private void recomputeStaticStrict() {
    putAuthorization(
        PeerAuthentications.STATIC_STRICT,
        index.hasPeerAuthentications() ? PeerAuthentications.staticStrict() : null);
  }

  private void putAuthorization(String name, Message m) {
    if (m == null) {
      authorizations.remove(name);
      authorizationXds.remove(name);
      return;
    }
    if (!m.equals(authorizations.get(name))) {
      authorizations.put(name, (Authorization) m);
      authorizationXds.put(name, XdsResource.of(name, m));
    }
  }

  private void setProblem(String what, String problem) {
    if (problem == null) {
      problems.remove(what);
    } else {
      problems.put(what, problem);
    }
  }

  private void bind(String gateway, String user) {
    if (gateway != null) {
      gatewayUsers.computeIfAbsent(gateway, g -> new HashSet<>()).add(user);
    }
  }

  private void unbind(String gateway, String user) {
    if (gateway == null) {
      return;
    }
    Set<String> users = gatewayUsers.get(gateway);
    if (users != null && users.remove(user) && users.isEmpty()) {
      gatewayUsers.remove(gateway);
    }
  }

  private MeshState publish(ConfigSnapshot config) {
    Map<String, Map<String, XdsResource>> xds =
        Map.of(
            TypeUrls.ADDRESS, addressXds.publish(),
            TypeUrls.AUTHORIZATION, authorizationXds.publish(),
            TypeUrls.HTTP_ROUTE, routeXds.publish(),
            TypeUrls.L7_AUTHORIZATION, l7Xds.publish());
    Map<String, Set<String>> touched =
        Map.of(
            TypeUrls.ADDRESS, addressXds.drainTouched(),
            TypeUrls.AUTHORIZATION, authorizationXds.drainTouched(),
            TypeUrls.HTTP_ROUTE, routeXds.drainTouched(),
            TypeUrls.L7_AUTHORIZATION, l7Xds.drainTouched());
    return new MeshState(
        config,
        workloads.publish(),
        services.publish(),
        authorizations.publish(),
        routes.publish(),
        l7.publish(),
        pods.publish(),
        problems.publish(),
        xds,
        new XdsSnapshot.Delta(last == null ? null : last.xds(), touched));
  }
}
