package dev.ambit.control.state;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.ambit.api.Resource;
import dev.ambit.api.core.Container;
import dev.ambit.api.core.ContainerPort;
import dev.ambit.api.core.NamespaceSpec;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.core.ServicePort;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.gateway.GatewaySpec;
import dev.ambit.api.gateway.HttpRouteSpec;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.control.ca.Identities;
import dev.ambit.control.xds.XdsResource;
import dev.ambit.proto.client.TypeUrls;
import dev.ambit.proto.control.ContainerInfo;
import dev.ambit.proto.control.ContainerPortInfo;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.proto.workload.AppProtocol;
import dev.ambit.proto.workload.GatewayAddress;
import dev.ambit.proto.workload.NetworkAddress;
import dev.ambit.proto.workload.Port;
import dev.ambit.proto.workload.PortList;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.TunnelProtocol;
import dev.ambit.proto.workload.Workload;
import dev.ambit.proto.workload.WorkloadStatus;
import dev.ambit.proto.workload.WorkloadType;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Computes a {@link MeshState} from a config snapshot.
 *
 * <ul>
 *   <li>Membership: a pod is in the mesh when it, or else its namespace, has {@code
 *       istio.io/dataplane-mode: ambient}; the pod label {@code none} opts out.
 *   <li>Waypoint binding ({@code istio.io/use-waypoint}, optionally with {@code
 *       istio.io/use-waypoint-namespace}): for a workload its own label wins over its namespace's;
 *       for a service its own label wins over its namespace's; the value {@code none} disables. The
 *       value names a Gateway of class {@code istio-waypoint}; the binding points at the VIP of the
 *       waypoint's Service (same name as the Gateway) on port 15008. A binding that cannot be
 *       resolved is reported as a problem and left out.
 *   <li>Waypoint proxies themselves (label {@code gateway.networking.k8s.io/gateway-name}) are
 *       never bound to a waypoint and are reachable over HBONE.
 * </ul>
 */
public final class MeshStateBuilder {

  public static final String CLUSTER = "local";
  public static final int HBONE_PORT = 15008;

  private static final Object NO_NAMESPACE = new Object();

  private final String trustDomain;

  public MeshStateBuilder(String trustDomain) {
    this.trustDomain = trustDomain;
  }

  public static String uid(String namespace, String name) {
    return CLUSTER + "//Pod/" + namespace + "/" + name;
  }

  public static String hostname(String namespace, String name) {
    return name + "." + namespace + ".svc.cluster.local";
  }

  /**
   * One computed output with the inputs it was computed from. An output is reused by the next build
   * while its inputs are the very same (immutable) config objects, so a change recomputes only what
   * depends on it.
   */
  private record Entry(
      List<Object> inputs,
      Message message,
      String xdsKey,
      XdsResource xds,
      PodInfo pod,
      String problem) {}

  private Map<String, Entry> cache = new HashMap<>();

  public synchronized MeshState build(ConfigSnapshot config) {
    Context ctx = new Context(config);
    Map<String, Entry> next = new HashMap<>();
    Map<String, Service> services = new HashMap<>();
    Map<String, XdsResource> addresses = new HashMap<>();
    Map<String, String> problems = new HashMap<>();
    for (Resource<ServiceSpec> svc : ctx.services) {
      String what = "Service " + svc.namespace() + "/" + svc.name();
      Entry e =
          reuse(
              next,
              what,
              List.of(svc, ctx.namespaceObject(svc.namespace()), ctx.waypointInputs),
              () -> {
                Service s = service(ctx, svc);
                String key = svc.namespace() + "/" + s.getHostname();
                return new Entry(
                    null,
                    s,
                    key,
                    XdsResource.of(key, Address.newBuilder().setService(s).build()),
                    null,
                    ctx.problems.get(what));
              });
      services.put(e.xdsKey(), (Service) e.message());
      addresses.put(e.xdsKey(), e.xds());
      if (e.problem() != null) {
        problems.put(what, e.problem());
      }
    }
    Map<String, Workload> workloads = new HashMap<>();
    Map<String, PodInfo> pods = new HashMap<>();
    for (Resource<PodSpec> pod : config.list(PodSpec.class, null)) {
      String ns = pod.namespace();
      String what = "Pod " + ns + "/" + pod.name();
      Entry e =
          reuse(
              next,
              what,
              List.of(
                  pod,
                  ctx.namespaceObject(ns),
                  ctx.selectingServices.getOrDefault(ns, List.of()),
                  ctx.selectorPolicies.getOrDefault(ns, List.of()),
                  ctx.waypointInputs),
              () -> {
                Workload w = workload(ctx, pod);
                return new Entry(
                    null,
                    w,
                    w.getUid(),
                    XdsResource.of(w.getUid(), Address.newBuilder().setWorkload(w).build()),
                    podInfo(ctx, pod, w),
                    ctx.problems.get(what));
              });
      workloads.put(e.xdsKey(), (Workload) e.message());
      addresses.put(e.xdsKey(), e.xds());
      pods.put(ns + "/" + pod.name(), e.pod());
      if (e.problem() != null) {
        problems.put(what, e.problem());
      }
    }
    Map<String, Authorization> authorizations = new HashMap<>();
    Map<String, L7Authorization> l7 = new HashMap<>();
    Map<String, XdsResource> authorizationXds = new HashMap<>();
    Map<String, XdsResource> l7Xds = new HashMap<>();
    for (Resource<AuthorizationPolicySpec> p : config.list(AuthorizationPolicySpec.class, null)) {
      String key = p.namespace() + "/" + p.name();
      boolean l4 = L4Authorizations.enforcedByZtunnel(p.spec());
      Entry e =
          reuse(
              next,
              "AuthorizationPolicy " + key,
              List.of(p),
              () -> {
                Message m = l4 ? L4Authorizations.translate(p) : L7Authorizations.translate(p);
                return new Entry(null, m, key, XdsResource.of(key, m), null, null);
              });
      if (l4) {
        authorizations.put(key, (Authorization) e.message());
        authorizationXds.put(key, e.xds());
      } else {
        l7.put(key, (L7Authorization) e.message());
        l7Xds.put(key, e.xds());
      }
    }
    Map<String, HttpRoute> routes = new HashMap<>();
    Map<String, XdsResource> routeXds = new HashMap<>();
    for (Resource<HttpRouteSpec> r : config.list(HttpRouteSpec.class, null)) {
      String key = r.namespace() + "/" + r.name();
      Entry e =
          reuse(
              next,
              "HTTPRoute " + key,
              List.of(r),
              () -> {
                Optional<HttpRoute> route = HttpRoutes.translate(r);
                return new Entry(
                    null,
                    route.orElse(null),
                    key,
                    route.map(m -> XdsResource.of(key, m)).orElse(null),
                    null,
                    null);
              });
      if (e.message() != null) {
        routes.put(key, (HttpRoute) e.message());
        routeXds.put(key, e.xds());
      }
    }
    cache = next;
    return new MeshState(
        config,
        workloads,
        services,
        authorizations,
        routes,
        l7,
        pods,
        problems,
        Map.of(
            TypeUrls.ADDRESS, addresses,
            TypeUrls.AUTHORIZATION, authorizationXds,
            TypeUrls.HTTP_ROUTE, routeXds,
            TypeUrls.L7_AUTHORIZATION, l7Xds));
  }

  private Entry reuse(
      Map<String, Entry> next, String key, List<Object> inputs, Supplier<Entry> compute) {
    Entry old = cache.get(key);
    Entry e;
    if (old != null && identical(old.inputs(), inputs)) {
      e = old;
    } else {
      Entry fresh = compute.get();
      e =
          new Entry(
              inputs, fresh.message(), fresh.xdsKey(), fresh.xds(), fresh.pod(), fresh.problem());
    }
    next.put(key, e);
    return e;
  }

  /** Element-wise identity (lists compared recursively): config objects are immutable. */
  private static boolean identical(List<?> a, List<?> b) {
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      if (x instanceof List<?> lx && y instanceof List<?> ly) {
        if (!identical(lx, ly)) {
          return false;
        }
      } else if (x != y) {
        return false;
      }
    }
    return true;
  }

  /** Lookups shared by one build. */
  private final class Context {
    final ConfigSnapshot config;
    final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    final Map<String, Resource<NamespaceSpec>> namespaceObjects = new HashMap<>();

    /** Gateways and their services: every waypoint binding depends on these. */
    final List<Object> waypointInputs = new ArrayList<>();

    final Map<String, String> problems = new HashMap<>();
    final List<Resource<ServiceSpec>> services;
    final Map<String, List<Resource<ServiceSpec>>> selectingServices = new HashMap<>();
    final Map<String, List<Resource<AuthorizationPolicySpec>>> selectorPolicies = new HashMap<>();

    Context(ConfigSnapshot config) {
      this.config = config;
      for (Resource<NamespaceSpec> ns : config.list(NamespaceSpec.class, null)) {
        namespaceLabels.put(ns.name(), ns.metadata().labels());
        namespaceObjects.put(ns.name(), ns);
      }
      for (Resource<GatewaySpec> gw : config.list(GatewaySpec.class, null)) {
        waypointInputs.add(gw);
        config.get(ServiceSpec.class, gw.namespace(), gw.name()).ifPresent(waypointInputs::add);
      }
      services = config.list(ServiceSpec.class, null);
      for (Resource<ServiceSpec> s : services) {
        if (!s.spec().selector().isEmpty()) {
          selectingServices.computeIfAbsent(s.namespace(), k -> new ArrayList<>()).add(s);
        }
      }
      for (Resource<AuthorizationPolicySpec> p : config.list(AuthorizationPolicySpec.class, null)) {
        var sel = p.spec().selector();
        if (L4Authorizations.enforcedByZtunnel(p.spec())
            && sel != null
            && !sel.matchLabels().isEmpty()) {
          selectorPolicies.computeIfAbsent(p.namespace(), k -> new ArrayList<>()).add(p);
        }
      }
    }

    /** The Namespace object, or a marker when it does not exist (identity-comparable). */
    Object namespaceObject(String ns) {
      Object o = namespaceObjects.get(ns);
      return o == null ? NO_NAMESPACE : o;
    }

    Map<String, String> nsLabels(String ns) {
      return namespaceLabels.getOrDefault(ns, Map.of());
    }

    /** The waypoint an object uses (own label first, then its namespace's). */
    Optional<GatewayAddress> waypoint(String what, String ns, Map<String, String> own) {
      if (own.containsKey(Labels.GATEWAY_NAME)) {
        return Optional.empty();
      }
      Map<String, String> labels = own.containsKey(Labels.USE_WAYPOINT) ? own : nsLabels(ns);
      String name = labels.get(Labels.USE_WAYPOINT);
      if (name == null || name.isEmpty() || name.equals(Labels.NONE)) {
        return Optional.empty();
      }
      String gwNs = labels.getOrDefault(Labels.USE_WAYPOINT_NAMESPACE, ns);
      Optional<Resource<GatewaySpec>> gw = config.get(GatewaySpec.class, gwNs, name);
      if (gw.isEmpty() || !gw.get().spec().isWaypoint()) {
        problems.put(
            what,
            "waypoint "
                + gwNs
                + "/"
                + name
                + " does not exist (no Gateway of class istio-waypoint)");
        return Optional.empty();
      }
      Optional<byte[]> vip = config.get(ServiceSpec.class, gwNs, name).flatMap(s -> vip(s.spec()));
      if (vip.isEmpty()) {
        problems.put(what, "waypoint " + gwNs + "/" + name + " has no address yet");
        return Optional.empty();
      }
      return Optional.of(
          GatewayAddress.newBuilder()
              .setAddress(NetworkAddress.newBuilder().setAddress(ByteString.copyFrom(vip.get())))
              .setHboneMtlsPort(HBONE_PORT)
              .build());
    }
  }

  static Optional<byte[]> vip(ServiceSpec spec) {
    if (spec.clusterIP() == null || spec.headless() || spec.clusterIP().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(InetAddress.ofLiteral(spec.clusterIP()).getAddress());
  }

  private Service service(Context ctx, Resource<ServiceSpec> svc) {
    ServiceSpec spec = svc.spec();
    Service.Builder out =
        Service.newBuilder()
            .setName(svc.name())
            .setNamespace(svc.namespace())
            .setHostname(hostname(svc.namespace(), svc.name()));
    vip(spec)
        .ifPresent(
            ip ->
                out.addAddresses(NetworkAddress.newBuilder().setAddress(ByteString.copyFrom(ip))));
    for (ServicePort p : spec.ports()) {
      Integer target =
          p.targetPort() != null && !p.targetPort().isInt() ? null : p.targetPortNumber();
      out.addPorts(
          Port.newBuilder()
              .setServicePort(p.port())
              .setTargetPort(target == null ? 0 : target)
              .setAppProtocol(appProtocol(p)));
    }
    ctx.waypoint(
            "Service " + svc.namespace() + "/" + svc.name(),
            svc.namespace(),
            svc.metadata().labels())
        .ifPresent(out::setWaypoint);
    return out.build();
  }

  static AppProtocol appProtocol(ServicePort p) {
    String proto = p.appProtocol() != null ? p.appProtocol() : p.name() == null ? "" : p.name();
    proto = proto.toLowerCase(java.util.Locale.ROOT);
    if (proto.equals("grpc") || proto.startsWith("grpc-")) {
      return AppProtocol.GRPC;
    }
    if (proto.equals("http2") || proto.startsWith("http2-") || proto.equals("kubernetes.io/h2c")) {
      return AppProtocol.HTTP2;
    }
    if (proto.equals("http") || proto.startsWith("http-")) {
      return AppProtocol.HTTP11;
    }
    return AppProtocol.UNKNOWN;
  }

  static boolean inMesh(Map<String, String> podLabels, Map<String, String> nsLabels) {
    if (podLabels.containsKey(Labels.GATEWAY_NAME)) {
      return false;
    }
    String own = podLabels.get(Labels.DATAPLANE_MODE);
    if (own != null) {
      return own.equals(Labels.AMBIENT);
    }
    return Labels.AMBIENT.equals(nsLabels.get(Labels.DATAPLANE_MODE));
  }

  private Workload workload(Context ctx, Resource<PodSpec> pod) {
    Map<String, String> labels = pod.metadata().labels();
    String ns = pod.namespace();
    PodStatus status = pod.status() instanceof PodStatus s ? s : null;
    String ip = status == null ? null : status.podIP();
    boolean waypointProxy = labels.containsKey(Labels.GATEWAY_NAME);
    Workload.Builder out =
        Workload.newBuilder()
            .setUid(uid(ns, pod.name()))
            .setName(pod.name())
            .setNamespace(ns)
            .setTunnelProtocol(
                waypointProxy || inMesh(labels, ctx.nsLabels(ns))
                    ? TunnelProtocol.HBONE
                    : TunnelProtocol.NONE)
            .setTrustDomain(trustDomain)
            .setServiceAccount(pod.spec().serviceAccount())
            .setNode(pod.spec().nodeName() == null ? "" : pod.spec().nodeName())
            .setCanonicalName(
                labels.getOrDefault(
                    "service.istio.io/canonical-name",
                    labels.getOrDefault(
                        "app.kubernetes.io/name", labels.getOrDefault("app", pod.name()))))
            .setCanonicalRevision(
                labels.getOrDefault(
                    "service.istio.io/canonical-revision",
                    labels.getOrDefault(
                        "app.kubernetes.io/version", labels.getOrDefault("version", "latest"))))
            .setWorkloadType(WorkloadType.POD)
            .setWorkloadName(pod.name())
            .setClusterId(CLUSTER)
            .setStatus(
                ip == null || ip.isEmpty() ? WorkloadStatus.UNHEALTHY : WorkloadStatus.HEALTHY);
    if (ip != null && !ip.isEmpty()) {
      out.addAddresses(ByteString.copyFrom(InetAddress.ofLiteral(ip).getAddress()));
    }
    ctx.waypoint("Pod " + ns + "/" + pod.name(), ns, labels).ifPresent(out::setWaypoint);
    for (Resource<ServiceSpec> svc : ctx.selectingServices.getOrDefault(ns, List.of())) {
      Map<String, String> selector = svc.spec().selector();
      if (!selector.entrySet().stream()
          .allMatch(e -> e.getValue().equals(labels.get(e.getKey())))) {
        continue;
      }
      PortList.Builder ports = PortList.newBuilder();
      for (ServicePort p : svc.spec().ports()) {
        targetPort(pod.spec(), p)
            .ifPresent(
                t ->
                    ports.addPorts(
                        Port.newBuilder()
                            .setServicePort(p.port())
                            .setTargetPort(t)
                            .setAppProtocol(appProtocol(p))));
      }
      out.putServices(ns + "/" + hostname(ns, svc.name()), ports.build());
    }
    for (Resource<AuthorizationPolicySpec> p : ctx.selectorPolicies.getOrDefault(ns, List.of())) {
      if (p.spec().selector().matches(labels)) {
        out.addAuthorizationPolicies(ns + "/" + p.name());
      }
    }
    return out.build();
  }

  /** A service port's target port on this pod: the number, or the named container port. */
  static Optional<Integer> targetPort(PodSpec pod, ServicePort port) {
    if (port.targetPort() == null || port.targetPort().isInt()) {
      return Optional.of(port.targetPortNumber());
    }
    String name = port.targetPort().stringValue();
    for (Container c : pod.containers()) {
      for (ContainerPort cp : c.ports()) {
        if (name.equals(cp.name())) {
          return Optional.of(cp.containerPort());
        }
      }
    }
    return Optional.empty();
  }

  private PodInfo podInfo(Context ctx, Resource<PodSpec> pod, Workload w) {
    Map<String, String> labels = pod.metadata().labels();
    PodStatus status = pod.status() instanceof PodStatus s ? s : null;
    PodInfo.Builder out =
        PodInfo.newBuilder()
            .setUid(w.getUid())
            .setNamespace(pod.namespace())
            .setName(pod.name())
            .setNode(w.getNode())
            .setServiceAccount(w.getServiceAccount())
            .putAllLabels(labels)
            .putAllAnnotations(pod.metadata().annotations())
            .setAmbient(inMesh(labels, ctx.nsLabels(pod.namespace())))
            .setSpiffeId(
                new Identities.Workload(trustDomain, pod.namespace(), w.getServiceAccount()).uri())
            .setWaypointForGateway(labels.getOrDefault(Labels.GATEWAY_NAME, ""));
    if (status != null) {
      out.setPodIp(status.podIP() == null ? "" : status.podIP());
      out.setPhase(status.phase() == null ? "" : status.phase().name());
    }
    for (Container c : pod.spec().containers()) {
      ContainerInfo.Builder ci =
          ContainerInfo.newBuilder()
              .setName(c.name())
              .setImage(c.image() == null ? "" : c.image())
              .addAllCommand(c.command())
              .addAllArgs(c.args());
      c.env().forEach(e -> ci.putEnv(e.name(), e.value() == null ? "" : e.value()));
      for (ContainerPort p : c.ports()) {
        ci.addPorts(
            ContainerPortInfo.newBuilder()
                .setName(p.name() == null ? "" : p.name())
                .setContainerPort(p.containerPort()));
      }
      out.addContainers(ci);
    }
    return out.build();
  }
}
