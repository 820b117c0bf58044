package dev.ambit.control.state;

import com.google.protobuf.ByteString;
import dev.ambit.api.Resource;
import dev.ambit.api.core.Container;
import dev.ambit.api.core.ContainerPort;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.core.ServicePort;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.security.AuthorizationPolicySpec;
import dev.ambit.control.ca.Identities;
import dev.ambit.proto.control.ContainerInfo;
import dev.ambit.proto.control.ContainerPortInfo;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.workload.AppProtocol;
import dev.ambit.proto.workload.LoadBalancerAlgorithm;
import dev.ambit.proto.workload.NetworkAddress;
import dev.ambit.proto.workload.Port;
import dev.ambit.proto.workload.PortList;
import dev.ambit.proto.workload.Service;
import dev.ambit.proto.workload.TunnelProtocol;
import dev.ambit.proto.workload.Workload;
import dev.ambit.proto.workload.WorkloadStatus;
import dev.ambit.proto.workload.WorkloadType;
import java.net.InetAddress;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Translates one Pod or Service into its workload-API form, reading the other objects it depends on
 * (namespace labels, selecting services, selector policies, PeerAuthentications) from a {@link
 * ConfigIndex}. Membership: a pod is in the mesh when it, or else its namespace, has {@code
 * istio.io/dataplane-mode: ambient}; the pod label {@code none} opts out. Waypoint proxies (label
 * {@code gateway.networking.k8s.io/gateway-name}) are never bound to a waypoint and are reachable
 * over HBONE.
 */
final class ObjectTranslator {

  private static final Logger LOG = LoggerFactory.getLogger(ObjectTranslator.class);

  private final ConfigIndex index;
  private final String trustDomain;
  private final String clusterId;

  ObjectTranslator(ConfigIndex index, String trustDomain, String clusterId) {
    this.index = index;
    this.trustDomain = trustDomain;
    this.clusterId = clusterId;
  }

  /**
   * Whether the pod is an endpoint of the Service: its selector matches the pod's labels, or it has
   * no selector and names the pod in {@link Labels#ENDPOINT_PODS}.
   */
  static boolean isEndpoint(Resource<ServiceSpec> svc, String pod, Map<String, String> labels) {
    Map<String, String> selector = svc.spec().selector();
    if (selector.isEmpty()) {
      return Labels.endpointPods(svc.metadata().annotations()).contains(pod);
    }
    return selector.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  /** Whether an AuthorizationPolicy is an L4 policy naming its workloads by selector. */
  static boolean selectsWorkloads(AuthorizationPolicySpec spec) {
    return L4Authorizations.enforcedByZtunnel(spec)
        && spec.selector() != null
        && !spec.selector().matchLabels().isEmpty();
  }

  static Optional<byte[]> vip(ServiceSpec spec) {
    if (spec.clusterIP() == null || spec.headless() || spec.clusterIP().isEmpty()) {
      return Optional.empty();
    }
    return Optional.of(InetAddress.ofLiteral(spec.clusterIP()).getAddress());
  }

  Service service(Resource<ServiceSpec> svc, WaypointBinding binding) {
    ServiceSpec spec = svc.spec();
    Service.Builder out =
        Service.newBuilder()
            .setName(svc.name())
            .setNamespace(svc.namespace())
            .setHostname(MeshStateBuilder.hostname(svc.namespace(), svc.name()));
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
    if (binding.address() != null) {
      out.setWaypoint(binding.address());
    }
    out.setAmbitLoadBalancer(loadBalancer(svc));
    return out.build();
  }

  /** The annotation {@link Labels#LOAD_BALANCER}; an unknown value is ignored with a warning. */
  static LoadBalancerAlgorithm loadBalancer(Resource<ServiceSpec> svc) {
    String value = svc.metadata().annotations().get(Labels.LOAD_BALANCER);
    if (value == null) {
      return LoadBalancerAlgorithm.LB_DEFAULT;
    }
    return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "least-request" -> LoadBalancerAlgorithm.LB_LEAST_REQUEST;
      case "round-robin" -> LoadBalancerAlgorithm.LB_ROUND_ROBIN;
      default -> {
        LOG.warn(
            "service {}/{}: unknown {} \"{}\" (least-request or round-robin), using least-request",
            svc.namespace(),
            svc.name(),
            Labels.LOAD_BALANCER,
            value);
        yield LoadBalancerAlgorithm.LB_DEFAULT;
      }
    };
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

  Workload workload(Resource<PodSpec> pod, WaypointBinding binding) {
    Map<String, String> labels = pod.metadata().labels();
    String ns = pod.namespace();
    PodStatus status = pod.status() instanceof PodStatus s ? s : null;
    String ip = status == null ? null : status.podIP();
    boolean waypointProxy = labels.containsKey(Labels.GATEWAY_NAME);
    Workload.Builder out =
        Workload.newBuilder()
            .setUid(MeshStateBuilder.uid(clusterId, ns, pod.name()))
            .setName(pod.name())
            .setNamespace(ns)
            .setTunnelProtocol(
                waypointProxy || inMesh(labels, index.namespaceLabels(ns))
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
            .setClusterId(clusterId)
            .setStatus(
                ip == null || ip.isEmpty() ? WorkloadStatus.UNHEALTHY : WorkloadStatus.HEALTHY);
    if (ip != null && !ip.isEmpty()) {
      out.addAddresses(ByteString.copyFrom(InetAddress.ofLiteral(ip).getAddress()));
    }
    if (binding.address() != null) {
      out.setWaypoint(binding.address());
    }
    for (Resource<ServiceSpec> svc : index.services(ns)) {
      if (!isEndpoint(svc, pod.name(), labels)) {
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
      out.putServices(ns + "/" + MeshStateBuilder.hostname(ns, svc.name()), ports.build());
    }
    for (Resource<AuthorizationPolicySpec> p : index.authorizationPolicies(ns)) {
      if (selectsWorkloads(p.spec()) && p.spec().selector().matches(labels)) {
        out.addAuthorizationPolicies(ns + "/" + p.name());
      }
    }
    if (out.getTunnelProtocol() == TunnelProtocol.HBONE) {
      PeerAuthentications.policyName(index, ns, labels).ifPresent(out::addAuthorizationPolicies);
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

  PodInfo podInfo(Resource<PodSpec> pod, Workload w) {
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
            .setAmbient(inMesh(labels, index.namespaceLabels(pod.namespace())))
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
