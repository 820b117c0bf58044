package dev.ambit.kube.source;

import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import dev.ambit.api.Kind;
import dev.ambit.api.Resource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns a Kubernetes object into the Ambit object of the same shape: the fields Ambit uses are
 * copied into a document that {@link ConfigReader} reads (and validates) like a file.
 *
 * <p>For kinds the kubelet runs (Pods) or the API server manages (Services) only the fields the
 * mesh needs are kept: scheduling, probes, resources and the like are the cluster's business.
 * Policies, Gateways and HTTPRoutes are read whole, so a field Ambit does not implement is an
 * error, never silently ignored.
 */
public final class Translator {

  static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

  private final KubernetesSerialization json;

  public Translator(KubernetesSerialization json) {
    this.json = json;
  }

  /**
   * The Ambit object for {@code object} of {@code kind}, or empty when it is not part of the mesh
   * (a host-network pod, an ExternalName or UDP-only Service).
   *
   * @throws ConfigException when the object does not read as an Ambit object
   */
  public Optional<Resource<?>> translate(Kind kind, HasMetadata object) throws ConfigException {
    @SuppressWarnings("unchecked")
    Map<String, Object> raw = json.convertValue(object, Map.class);
    Optional<Map<String, Object>> doc = document(kind, raw);
    if (doc.isEmpty()) {
      return Optional.empty();
    }
    List<Resource<?>> read = ConfigReader.read(describe(kind, object), json.asJson(doc.get()));
    return Optional.of(read.getFirst());
  }

  /** How errors name an object, e.g. {@code Pod shop/curl}. */
  public static String describe(Kind kind, HasMetadata object) {
    String ns = object.getMetadata().getNamespace();
    return kind.kindName() + " " + (ns == null ? "" : ns + "/") + object.getMetadata().getName();
  }

  private Optional<Map<String, Object>> document(Kind kind, Map<String, Object> raw) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put(
        "apiVersion",
        kind.serves(String.valueOf(raw.get("apiVersion")))
            ? raw.get("apiVersion")
            : kind.storageApiVersion());
    doc.put("kind", kind.kindName());
    doc.put("metadata", metadata(map(raw.get("metadata"))));
    Map<String, Object> spec = map(raw.get("spec"));
    switch (kind) {
      case NAMESPACE, SERVICE_ACCOUNT -> {}
      case POD -> {
        if (Boolean.TRUE.equals(spec.get("hostNetwork"))) {
          return Optional.empty();
        }
        doc.put("spec", podSpec(spec));
        doc.put("status", podStatus(map(raw.get("status"))));
      }
      case SERVICE -> {
        if ("ExternalName".equals(spec.get("type"))) {
          return Optional.empty();
        }
        Map<String, Object> svc = serviceSpec(spec);
        if (svc == null) {
          return Optional.empty();
        }
        doc.put("spec", svc);
      }
      default -> doc.put("spec", spec);
    }
    return Optional.of(doc);
  }

  private static Map<String, Object> metadata(Map<String, Object> meta) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("name", meta.get("name"));
    putIfPresent(out, "namespace", meta.get("namespace"));
    putIfPresent(out, "labels", meta.get("labels"));
    Map<String, Object> annotations = new LinkedHashMap<>(map(meta.get("annotations")));
    annotations.remove(LAST_APPLIED);
    if (!annotations.isEmpty()) {
      out.put("annotations", annotations);
    }
    return out;
  }

  private static Map<String, Object> podSpec(Map<String, Object> spec) {
    Map<String, Object> out = new LinkedHashMap<>();
    putIfPresent(out, "serviceAccountName", spec.get("serviceAccountName"));
    putIfPresent(out, "nodeName", spec.get("nodeName"));
    List<Object> containers = new ArrayList<>();
    for (Object o : list(spec.get("containers"))) {
      Map<String, Object> c = map(o);
      Map<String, Object> container = new LinkedHashMap<>();
      container.put("name", c.get("name"));
      putIfPresent(container, "image", c.get("image"));
      List<Object> ports = new ArrayList<>();
      for (Object p : list(c.get("ports"))) {
        Map<String, Object> port = map(p);
        if (isTcp(port)) {
          Map<String, Object> kept = new LinkedHashMap<>();
          putIfPresent(kept, "name", port.get("name"));
          kept.put("containerPort", port.get("containerPort"));
          ports.add(kept);
        }
      }
      if (!ports.isEmpty()) {
        container.put("ports", ports);
      }
      containers.add(container);
    }
    out.put("containers", containers);
    return out;
  }

  private static Map<String, Object> podStatus(Map<String, Object> status) {
    Map<String, Object> out = new LinkedHashMap<>();
    putIfPresent(out, "phase", status.get("phase"));
    putIfPresent(out, "hostIP", status.get("hostIP"));
    putIfPresent(out, "podIP", status.get("podIP"));
    return out;
  }

  /** The Service spec with TCP ports only; null when no port is left (and it is not headless). */
  private static Map<String, Object> serviceSpec(Map<String, Object> spec) {
    Map<String, Object> out = new LinkedHashMap<>();
    putIfPresent(out, "clusterIP", spec.get("clusterIP"));
    putIfPresent(out, "selector", spec.get("selector"));
    List<Object> ports = new ArrayList<>();
    for (Object p : list(spec.get("ports"))) {
      Map<String, Object> port = map(p);
      if (isTcp(port)) {
        Map<String, Object> kept = new LinkedHashMap<>();
        putIfPresent(kept, "name", port.get("name"));
        putIfPresent(kept, "appProtocol", port.get("appProtocol"));
        kept.put("port", port.get("port"));
        putIfPresent(kept, "targetPort", port.get("targetPort"));
        ports.add(kept);
      }
    }
    if (ports.isEmpty() && !"None".equals(spec.get("clusterIP"))) {
      return null;
    }
    out.put("ports", ports);
    return out;
  }

  private static boolean isTcp(Map<String, Object> port) {
    Object protocol = port.get("protocol");
    return protocol == null || "TCP".equals(protocol);
  }

  private static void putIfPresent(Map<String, Object> out, String key, Object value) {
    if (value != null && !"".equals(value)) {
      out.put(key, value);
    }
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Object o) {
    return o instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
