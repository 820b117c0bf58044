package dev.ambit.ztunnel.state;

import dev.ambit.proto.security.Authorization;
import dev.ambit.proto.workload.Address;
import dev.ambit.ztunnel.authz.CompiledPolicy;
import dev.ambit.ztunnel.authz.PolicyIndex;
import dev.ambit.ztunnel.authz.PolicySet;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * An immutable view of everything ztunnel knows: workloads, services, their endpoints and L4
 * policies, with the indexes the data path needs. Built whole on each change and published by
 * {@link StateStore}; readers never lock.
 */
public final class StateSnapshot {

  public static final StateSnapshot EMPTY = new StateSnapshot(Map.of(), Map.of(), null);

  private final Map<String, WorkloadInfo> workloads = new HashMap<>();
  private final Map<InetAddress, WorkloadInfo> workloadsByIp = new HashMap<>();
  private final Map<String, ServiceInfo> services = new HashMap<>();
  private final Map<InetAddress, ServiceInfo> servicesByVip = new HashMap<>();
  private final Map<String, List<WorkloadInfo>> endpoints = new HashMap<>();
  private final Map<String, PolicySet> workloadPolicies = new HashMap<>();
  private final PolicyIndex policies;

  /**
   * Builds a snapshot from xDS resources keyed by resource name. {@code previous} (may be null)
   * lends its compiled policies when they did not change, and its per-workload policy sets when no
   * policy changed, so the policy sets of every workload are ready before the snapshot is
   * published.
   */
  StateSnapshot(
      Map<String, Address> addresses,
      Map<String, Authorization> authorizations,
      StateSnapshot previous) {
    this.policies = new PolicyIndex(authorizations, previous == null ? null : previous.policies);
    for (Address a : addresses.values()) {
      switch (a.getTypeCase()) {
        case WORKLOAD -> addWorkload(WorkloadInfo.of(a.getWorkload()));
        case SERVICE -> addService(ServiceInfo.of(a.getService()));
        case TYPE_NOT_SET -> {}
      }
    }
    for (WorkloadInfo w : workloads.values()) {
      for (String serviceKey : w.servicePorts().keySet()) {
        endpoints.computeIfAbsent(serviceKey, k -> new ArrayList<>()).add(w);
      }
      workloadPolicies.put(
          w.uid(), policies.forWorkload(w.namespace(), w.proto().getAuthorizationPoliciesList()));
    }
    endpoints.replaceAll((k, v) -> List.copyOf(v));
  }

  private void addWorkload(WorkloadInfo w) {
    workloads.put(w.uid(), w);
    if (w.proto().getNetwork().isEmpty()) {
      for (InetAddress ip : w.addresses()) {
        workloadsByIp.put(ip, w);
      }
    }
  }

  private void addService(ServiceInfo s) {
    services.put(s.key(), s);
    for (InetAddress vip : s.vips()) {
      servicesByVip.put(vip, s);
    }
  }

  public Map<String, WorkloadInfo> workloads() {
    return workloads;
  }

  public Map<String, ServiceInfo> services() {
    return services;
  }

  public Map<String, CompiledPolicy> policies() {
    return policies.policies();
  }

  public WorkloadInfo workload(String uid) {
    return workloads.get(uid);
  }

  public WorkloadInfo workloadByIp(InetAddress ip) {
    return workloadsByIp.get(ip);
  }

  public ServiceInfo service(String key) {
    return services.get(key);
  }

  public ServiceInfo serviceByVip(InetAddress vip) {
    return servicesByVip.get(vip);
  }

  /** The workloads backing the service {@code key} ("namespace/hostname"), healthy or not. */
  public List<WorkloadInfo> endpoints(String key) {
    return endpoints.getOrDefault(key, List.of());
  }

  /**
   * The service a connection arriving at {@code workload} on {@code targetPort} most likely
   * addressed: among the services the workload backs, the first by name whose target port (the
   * workload's own port map first, then the service's) is {@code targetPort}; null when none.
   */
  public ServiceInfo serviceAtTargetPort(WorkloadInfo workload, int targetPort) {
    ServiceInfo best = null;
    for (Map.Entry<String, Map<Integer, Integer>> e : workload.servicePorts().entrySet()) {
      ServiceInfo s = services.get(e.getKey());
      if (s != null
          && (e.getValue().containsValue(targetPort) || s.ports().containsValue(targetPort))
          && (best == null || s.key().compareTo(best.key()) < 0)) {
        best = s;
      }
    }
    return best;
  }

  /**
   * The L4 policies for a destination workload. For a workload the snapshot does not know, only
   * global and namespace-wide policies of {@code namespace} apply.
   */
  public PolicySet policiesFor(WorkloadInfo workload) {
    PolicySet set = workloadPolicies.get(workload.uid());
    return set != null
        ? set
        : policies.forWorkload(
            workload.namespace(), workload.proto().getAuthorizationPoliciesList());
  }

  /**
   * The workloads a waypoint reference points at: the endpoints of the waypoint's service, or the
   * workload at the referenced address when it is a workload rather than a service VIP.
   */
  public List<WorkloadInfo> waypointWorkloads(WaypointRef ref) {
    ServiceInfo service =
        ref.address() != null ? servicesByVip.get(ref.address()) : services.get(ref.serviceKey());
    if (service != null) {
      return endpoints(service.key());
    }
    WorkloadInfo w = ref.address() != null ? workloadsByIp.get(ref.address()) : null;
    return w == null ? List.of() : List.of(w);
  }
}
