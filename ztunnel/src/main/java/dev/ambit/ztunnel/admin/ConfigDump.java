package dev.ambit.ztunnel.admin;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.ambit.ztunnel.authz.CompiledPolicy;
import dev.ambit.ztunnel.identity.CertificateStatus;
import dev.ambit.ztunnel.json.JsonReader;
import dev.ambit.ztunnel.json.JsonWriter;
import dev.ambit.ztunnel.state.ServiceInfo;
import dev.ambit.ztunnel.state.StateSnapshot;
import dev.ambit.ztunnel.state.WorkloadInfo;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** {@code /config_dump}: workloads, services, policies and certificates as JSON. */
final class ConfigDump implements HttpEndpoint {

  private final Supplier<StateSnapshot> state;
  private final Supplier<List<CertificateStatus>> certificates;

  ConfigDump(Supplier<StateSnapshot> state, Supplier<List<CertificateStatus>> certificates) {
    this.state = state;
    this.certificates = certificates;
  }

  @Override
  public HttpResponse handle(String method, Map<String, List<String>> query) throws Exception {
    StateSnapshot s = state.get();
    Map<String, Object> dump = new LinkedHashMap<>();
    dump.put(
        "workloads",
        s.workloads().values().stream()
            .sorted(Comparator.comparing(WorkloadInfo::uid))
            .map(ConfigDump::workload)
            .toList());
    dump.put(
        "services",
        s.services().values().stream()
            .sorted(Comparator.comparing(ServiceInfo::key))
            .map(v -> service(s, v))
            .toList());
    List<Object> policies = new ArrayList<>();
    for (CompiledPolicy p :
        s.policies().values().stream().sorted(Comparator.comparing(CompiledPolicy::key)).toList()) {
      policies.add(policy(p));
    }
    dump.put("policies", policies);
    dump.put(
        "certificates",
        certificates.get().stream()
            .sorted(Comparator.comparing(CertificateStatus::identity))
            .map(ConfigDump::certificate)
            .toList());
    return HttpResponse.json(JsonWriter.indented(dump) + "\n");
  }

  private static Map<String, Object> workload(WorkloadInfo w) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("uid", w.uid());
    m.put("name", w.name());
    m.put("namespace", w.namespace());
    m.put("addresses", w.addresses().stream().map(InetAddress::getHostAddress).toList());
    m.put("identity", w.identity());
    m.put("node", w.proto().getNode());
    m.put("protocol", w.inMesh() ? "HBONE" : "TCP");
    m.put("status", w.healthy() ? "healthy" : "unhealthy");
    m.put("waypoint", w.waypoint() == null ? null : w.waypoint().toString());
    m.put("services", w.servicePorts());
    m.put("authorizationPolicies", w.proto().getAuthorizationPoliciesList());
    return m;
  }

  private static Map<String, Object> service(StateSnapshot s, ServiceInfo v) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.key());
    m.put("vips", v.vips().stream().map(InetAddress::getHostAddress).toList());
    m.put("ports", v.ports());
    m.put("waypoint", v.waypoint() == null ? null : v.waypoint().toString());
    m.put("endpoints", s.endpoints(v.key()).stream().map(WorkloadInfo::uid).sorted().toList());
    return m;
  }

  private static Object policy(CompiledPolicy p) throws InvalidProtocolBufferException {
    return JsonReader.parse(JsonFormat.printer().print(p.proto()));
  }

  private static Map<String, Object> certificate(CertificateStatus c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("identity", c.identity());
    m.put("expiry", c.notAfter() == null ? null : c.notAfter().toString());
    m.put("state", c.state());
    return m;
  }
}
