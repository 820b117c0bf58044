package dev.ambit.control.state;

import com.google.protobuf.ByteString;
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
import dev.ambit.proto.control.ContainerInfo;
import dev.ambit.proto.control.ContainerPortInfo;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.waypoint.HttpRoute;
import dev.ambit.proto.waypoint.L7Authorization;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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

  public MeshState build(ConfigSnapshot config) {
    Context ctx = new Context(config);
    Map<String, Service> services = new HashMap<>();
    for (Resource<ServiceSpec> svc : config.list(ServiceSpec.class, null)) {
      Service s = service(ctx, svc);
      services.put(svc.namespace() + "/" + s.getHostname(), s);
    }
    List<Resource<AuthorizationPolicySpec>> policies =
        config.list(AuthorizationPolicySpec.class, null);
    Map<String, dev.ambit.proto.workload.Workload> workloads = new HashMap<>();
    Map<String, PodInfo> pods = new HashMap<>();
    for (Resource<PodSpec> pod : config.list(PodSpec.class, null)) {
      Workload w = workload(ctx, pod, policies);
      workloads.put(w.getUid(), w);
      pods.put(pod.namespace() + "/" + pod.name(), podInfo(ctx, pod, w));
    }
    Map<String, Authorization> authorizations = new HashMap<>();
    Map<String, L7Authorization> l7 = new HashMap<>();
    for (Resource<AuthorizationPolicySpec> p : policies) {
      String key = p.namespace() + "/" + p.name();
      if (L4Authorizations.enforcedByZtunnel(p.spec())) {
        authorizations.put(key, L4Authorizations.translate(p));
      } else {
        l7.put(key, L7Authorizations.translate(p));
      }
    }
    Map<String, HttpRoute> routes = new HashMap<>();
    for (Resource<HttpRouteSpec> r : config.list(HttpRouteSpec.class, null)) {
      HttpRoutes.translate(r).ifPresent(route -> routes.put(r.namespace() + "/" + r.name(), route));
    }
    return new MeshState(
        config, workloads, services, authorizations, routes, l7, pods, ctx.problems);
  }

  /** Lookups shared by one build. */
  private final class Context {
    final ConfigSnapshot config;
    final Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
    final Map<String, String> problems = new HashMap<>();

    Context(ConfigSnapshot config) {
      this.config = config;
      for (Resource<NamespaceSpec> ns : config.list(NamespaceSpec.class, null)) {
        namespaceLabels.put(ns.name(), ns.metadata().labels());
      }
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

  private Workload workload(
      Context ctx, Resource<PodSpec> pod, List<Resource<AuthorizationPolicySpec>> policies) {
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
    for (Resource<ServiceSpec> svc : ctx.config.list(ServiceSpec.class, ns)) {
      Map<String, String> selector = svc.spec().selector();
      if (selector.isEmpty()
          || !selector.entrySet().stream()
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
    for (Resource<AuthorizationPolicySpec> p : policies) {
      var sel = p.spec().selector();
      if (p.namespace().equals(ns)
          && L4Authorizations.enforcedByZtunnel(p.spec())
          && sel != null
          && !sel.matchLabels().isEmpty()
          && sel.matches(labels)) {
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
