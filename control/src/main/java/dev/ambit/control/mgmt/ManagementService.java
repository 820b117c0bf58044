package dev.ambit.control.mgmt;

import dev.ambit.api.ConfigError;
import dev.ambit.api.ConfigException;
import dev.ambit.api.ConfigReader;
import dev.ambit.api.ConfigWriter;
import dev.ambit.api.Kind;
import dev.ambit.api.ObjectMeta;
import dev.ambit.api.Resource;
import dev.ambit.api.ResourceKey;
import dev.ambit.api.Validation;
import dev.ambit.api.core.NamespaceSpec;
import dev.ambit.api.core.PodPhase;
import dev.ambit.api.core.PodSpec;
import dev.ambit.api.core.PodStatus;
import dev.ambit.api.core.ServiceSpec;
import dev.ambit.api.store.ApplyResult;
import dev.ambit.api.store.ConfigSnapshot;
import dev.ambit.control.ControlPlane;
import dev.ambit.control.ca.IssuedCredential;
import dev.ambit.control.state.MeshState;
import dev.ambit.proto.control.ApplyRequest;
import dev.ambit.proto.control.ApplyResponse;
import dev.ambit.proto.control.ConfigSource;
import dev.ambit.proto.control.DeleteRequest;
import dev.ambit.proto.control.DeleteResponse;
import dev.ambit.proto.control.DescribeRequest;
import dev.ambit.proto.control.DescribeResponse;
import dev.ambit.proto.control.GetRequest;
import dev.ambit.proto.control.GetResponse;
import dev.ambit.proto.control.IssueNodeCredentialRequest;
import dev.ambit.proto.control.IssueNodeCredentialResponse;
import dev.ambit.proto.control.LabelRequest;
import dev.ambit.proto.control.LabelResponse;
import dev.ambit.proto.control.ListNodesRequest;
import dev.ambit.proto.control.ListNodesResponse;
import dev.ambit.proto.control.ManagementGrpc;
import dev.ambit.proto.control.NodeInfo;
import dev.ambit.proto.control.ObjectRef;
import dev.ambit.proto.control.PodStatusUpdate;
import dev.ambit.proto.control.PodStatusUpdateResponse;
import dev.ambit.proto.control.RegisterNodeRequest;
import dev.ambit.proto.control.RegisterNodeResponse;
import dev.ambit.proto.control.WatchRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The management API (see management.proto) over the control plane's store and state. */
public final class ManagementService extends ManagementGrpc.ManagementImplBase {

  private static final Logger log = LoggerFactory.getLogger(ManagementService.class);
  private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  static final Duration NODE_CREDENTIAL_LIFETIME = Duration.ofDays(365);

  private final ControlPlane cp;

  public ManagementService(ControlPlane cp) {
    this.cp = cp;
  }

  @Override
  public void apply(ApplyRequest request, StreamObserver<ApplyResponse> response) {
    call(
        response,
        () -> {
          List<Resource<?>> objects = read(request.getSourcesList());
          ApplyResponse.Builder out = ApplyResponse.newBuilder();
          if (request.getDryRun()) {
            ConfigSnapshot snap = cp.store().snapshot();
            for (Resource<?> r : objects) {
              out.addResultsBuilder()
                  .setRef(ref(r))
                  .setAction(snap.get(r.key()).isPresent() ? "configured" : "created");
            }
            return out.build();
          }
          for (ApplyResult r : cp.store().apply(objects)) {
            out.addResultsBuilder().setRef(ref(r.object())).setAction(r.outcome().word());
          }
          log.info(
              "applied {}",
              out.getResultsList().stream()
                  .map(
                      r ->
                          r.getRef().getKind()
                              + " "
                              + r.getRef().getNamespace()
                              + "/"
                              + r.getRef().getName()
                              + " "
                              + r.getAction())
                  .toList());
          return out.build();
        });
  }

  /** Reads every source; all problems of all sources are reported together. */
  private static List<Resource<?>> read(List<ConfigSource> sources) throws ConfigException {
    List<Resource<?>> objects = new ArrayList<>();
    List<ConfigError> errors = new ArrayList<>();
    for (ConfigSource s : sources) {
      try {
        objects.addAll(ConfigReader.read(s.getName().isEmpty() ? "-" : s.getName(), s.getYaml()));
      } catch (ConfigException e) {
        errors.addAll(e.errors());
      }
    }
    if (errors.isEmpty()) {
      errors.addAll(Validation.duplicates(objects));
    }
    if (!errors.isEmpty()) {
      throw new ConfigException(errors);
    }
    return objects;
  }

  @Override
  public void get(GetRequest request, StreamObserver<GetResponse> response) {
    call(
        response,
        () -> {
          Kind kind = kind(request.getKind());
          ConfigSnapshot snap = cp.store().snapshot();
          MeshState state = cp.state();
          String ns = namespace(kind, request.getNamespace());
          List<Resource<?>> objects;
          if (!request.getName().isEmpty()) {
            ResourceKey key = new ResourceKey(kind, ns, request.getName());
            objects = List.of(snap.get(key).orElseThrow(() -> notFound(kind, request.getName())));
          } else {
            objects = snap.list(kind, request.getAllNamespaces() || !kind.namespaced() ? null : ns);
          }
          Waypoints waypoints = new Waypoints(state);
          GetResponse.Builder out = GetResponse.newBuilder();
          for (Resource<?> r : objects) {
            String version =
                request.getApiVersion().isEmpty() ? r.apiVersion() : request.getApiVersion();
            if (!kind.serves(version)) {
              throw Status.INVALID_ARGUMENT
                  .withDescription(
                      version
                          + " is not a served version of "
                          + kind.kindName()
                          + " (served: "
                          + String.join(", ", kind.servedApiVersions())
                          + ")")
                  .asRuntimeException();
            }
            out.addObjectsBuilder()
                .setRef(ref(r))
                .setApiVersion(version)
                .setYaml(ConfigWriter.toYaml(r, version))
                .setJson(ConfigWriter.toJson(r, version))
                .addAllColumns(Columns.of(r, state, waypoints))
                .setCreatedMillis(
                    r.metadata().creationTimestamp() == null
                        ? 0
                        : r.metadata().creationTimestamp().toEpochMilli());
          }
          return out.build();
        });
  }

  @Override
  public void delete(DeleteRequest request, StreamObserver<DeleteResponse> response) {
    call(
        response,
        () -> {
          Set<ResourceKey> keys = new LinkedHashSet<>();
          for (ObjectRef ref : request.getRefsList()) {
            Kind kind = kind(ref.getKind());
            keys.add(new ResourceKey(kind, namespace(kind, ref.getNamespace()), ref.getName()));
          }
          for (Resource<?> r : read(request.getSourcesList())) {
            keys.add(r.key());
          }
          ConfigSnapshot snap = cp.store().snapshot();
          List<ResourceKey> present = new ArrayList<>();
          for (ResourceKey k : keys) {
            if (snap.get(k).isPresent()) {
              present.add(k);
            } else if (!request.getIgnoreNotFound()) {
              throw notFound(k.kind(), k.name());
            }
          }
          DeleteResponse.Builder out = DeleteResponse.newBuilder();
          for (ApplyResult r : cp.store().apply(List.of(), present)) {
            out.addDeleted(ref(r.object()));
          }
          log.info("deleted {}", present);
          return out.build();
        });
  }

  @Override
  public void watch(
      WatchRequest request, StreamObserver<dev.ambit.proto.control.WatchEvent> response) {
    try {
      Kind kind = request.getKind().isEmpty() ? Kind.POD : kind(request.getKind());
      if (kind == Kind.POD) {
        new PodWatch(cp, request.getNode(), request.getNamespace(), response).start();
      } else {
        new ObjectWatch(cp, kind, request.getNamespace(), response).start();
      }
    } catch (StatusRuntimeException e) {
      response.onError(e);
    }
  }

  @Override
  public void updatePodStatus(
      PodStatusUpdate request, StreamObserver<PodStatusUpdateResponse> response) {
    call(
        response,
        () -> {
          ResourceKey key =
              new ResourceKey(
                  Kind.POD, namespace(Kind.POD, request.getNamespace()), request.getName());
          Resource<?> pod =
              cp.store().get(key).orElseThrow(() -> notFound(Kind.POD, request.getName()));
          PodPhase phase = phase(request.getPhase());
          String hostIp = request.getHostIp();
          if (hostIp.isEmpty() && pod.spec() instanceof PodSpec spec && spec.nodeName() != null) {
            hostIp =
                cp.nodes().nodes().stream()
                    .filter(n -> n.name().equals(spec.nodeName()))
                    .map(n -> n.address())
                    .filter(a -> !a.isEmpty())
                    .findFirst()
                    .orElse("");
          }
          cp.store()
              .updateStatus(
                  key,
                  new PodStatus(
                      phase,
                      hostIp.isEmpty() ? null : hostIp,
                      request.getPodIp().isEmpty() ? null : request.getPodIp()));
          log.info("pod {} is {} at {}", key, phase, request.getPodIp());
          return PodStatusUpdateResponse.getDefaultInstance();
        });
  }

  private static PodPhase phase(String text) {
    if (text.isEmpty()) {
      return null;
    }
    for (PodPhase p : PodPhase.values()) {
      if (p.name().equalsIgnoreCase(text)) {
        return p;
      }
    }
    throw Status.INVALID_ARGUMENT
        .withDescription(
            "unknown pod phase \""
                + text
                + "\" (known: Pending, Running, Succeeded, Failed, Unknown)")
        .asRuntimeException();
  }

  @Override
  public void registerNode(
      RegisterNodeRequest request, StreamObserver<RegisterNodeResponse> response) {
    call(
        response,
        () -> {
          checkNodeName(request.getName());
          if (!request.getCredentialsDir().isEmpty()) {
            issue(request.getName(), request.getCredentialsDir());
          }
          cp.nodes().register(request.getName(), request.getAddress());
          log.info("node {} registered ({})", request.getName(), request.getAddress());
          return RegisterNodeResponse.newBuilder()
              .setNode(nodeInfo(request.getName(), request.getAddress()))
              .build();
        });
  }

  @Override
  public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> response) {
    call(
        response,
        () -> {
          ListNodesResponse.Builder out = ListNodesResponse.newBuilder();
          cp.nodes().nodes().forEach(n -> out.addNodes(nodeInfo(n.name(), n.address())));
          return out.build();
        });
  }

  private NodeInfo nodeInfo(String name, String address) {
    long pods = cp.state().pods().values().stream().filter(p -> p.getNode().equals(name)).count();
    return NodeInfo.newBuilder().setName(name).setAddress(address).setPods((int) pods).build();
  }

  @Override
  public void issueNodeCredential(
      IssueNodeCredentialRequest request, StreamObserver<IssueNodeCredentialResponse> response) {
    call(
        response,
        () -> {
          checkNodeName(request.getNode());
          return issue(request.getNode(), request.getDirectory());
        });
  }

  private IssueNodeCredentialResponse issue(String node, String directory) {
    Path dir = Path.of(directory);
    if (!dir.isAbsolute()) {
      throw Status.INVALID_ARGUMENT
          .withDescription("credentials directory must be absolute: " + directory)
          .asRuntimeException();
    }
    IssuedCredential cred = cp.ca().issueNodeCredential(node, NODE_CREDENTIAL_LIFETIME);
    cred.writeTo(dir);
    log.info("issued node credential for {} into {}", node, dir);
    return IssueNodeCredentialResponse.newBuilder()
        .setIdentity(dev.ambit.control.ca.Identities.nodeUri(cp.trustDomain(), node))
        .setCertChainFile(dir.resolve("cert-chain.pem").toString())
        .setKeyFile(dir.resolve("key.pem").toString())
        .setRootCertFile(dir.resolve("root-cert.pem").toString())
        .setExpiresMillis(cred.chain().getFirst().getNotAfter().getTime())
        .build();
  }

  private static void checkNodeName(String name) {
    if (!NODE_NAME.matcher(name).matches()) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "node name \"" + name + "\" must be a DNS label (lower-case letters, digits, '-')")
          .asRuntimeException();
    }
  }

  @Override
  public void label(LabelRequest request, StreamObserver<LabelResponse> response) {
    call(
        response,
        () -> {
          Kind kind = kind(request.getRef().getKind());
          ResourceKey key =
              new ResourceKey(
                  kind,
                  namespace(kind, request.getRef().getNamespace()),
                  request.getRef().getName());
          Optional<Resource<?>> existing = cp.store().get(key);
          if (existing.isEmpty() && kind == Kind.NAMESPACE) {
            cp.store()
                .apply(List.of(Resource.of(ObjectMeta.of(null, key.name()), new NamespaceSpec())));
            existing = cp.store().get(key);
          }
          Resource<?> current = existing.orElseThrow(() -> notFound(kind, key.name()));
          Map<String, String> labels = new HashMap<>(current.metadata().labels());
          for (var e : request.getSetMap().entrySet()) {
            String old = labels.get(e.getKey());
            if (old != null && !old.equals(e.getValue()) && !request.getOverwrite()) {
              throw Status.FAILED_PRECONDITION
                  .withDescription(
                      "'"
                          + e.getKey()
                          + "' already has a value ("
                          + old
                          + "), and --overwrite is false")
                  .asRuntimeException();
            }
            labels.put(e.getKey(), e.getValue());
          }
          request.getRemoveList().forEach(labels::remove);
          Resource<?> updated =
              cp.store().update(key, r -> r.withMetadata(r.metadata().withLabels(labels)));
          log.info("labels of {} are now {}", key, updated.metadata().labels());
          return LabelResponse.newBuilder().putAllLabels(updated.metadata().labels()).build();
        });
  }

  @Override
  public void describe(DescribeRequest request, StreamObserver<DescribeResponse> response) {
    call(
        response,
        () -> {
          Kind kind = kind(request.getRef().getKind());
          String ns = namespace(kind, request.getRef().getNamespace());
          String name = request.getRef().getName();
          Describer d = new Describer(cp.state());
          ConfigSnapshot snap = cp.state().config();
          String text =
              switch (kind) {
                case POD ->
                    d.pod(
                        snap.get(PodSpec.class, ns, name).orElseThrow(() -> notFound(kind, name)));
                case SERVICE ->
                    d.service(
                        snap.get(ServiceSpec.class, ns, name)
                            .orElseThrow(() -> notFound(kind, name)));
                default ->
                    throw Status.INVALID_ARGUMENT
                        .withDescription(
                            "describe supports pod and service, not " + kind.kindName())
                        .asRuntimeException();
              };
          return DescribeResponse.newBuilder().setText(text).build();
        });
  }

  static Kind kind(String text) {
    String t = text.toLowerCase(Locale.ROOT);
    String alias =
        switch (t) {
          case "po" -> "pod";
          case "svc" -> "service";
          case "ns" -> "namespace";
          case "sa" -> "serviceaccount";
          case "gw" -> "gateway";
          case "ap" -> "authorizationpolicy";
          case "pa" -> "peerauthentication";
          default -> text;
        };
    return Kind.parse(alias)
        .orElseThrow(
            () ->
                Status.INVALID_ARGUMENT
                    .withDescription(
                        "the server doesn't have a resource type \""
                            + text
                            + "\" (known: "
                            + java.util.Arrays.stream(Kind.values())
                                .map(Kind::qualifiedName)
                                .collect(Collectors.joining(", "))
                            + ")")
                    .asRuntimeException());
  }

  static String namespace(Kind kind, String ns) {
    if (!kind.namespaced()) {
      return null;
    }
    return ns.isEmpty() ? "default" : ns;
  }

  static StatusRuntimeException notFound(Kind kind, String name) {
    return Status.NOT_FOUND
        .withDescription(kind.qualifiedName() + " \"" + name + "\" not found")
        .asRuntimeException();
  }

  static ObjectRef ref(Resource<?> r) {
    return ObjectRef.newBuilder()
        .setKind(r.kind().kindName())
        .setNamespace(r.namespace() == null ? "" : r.namespace())
        .setName(r.name())
        .build();
  }

  @FunctionalInterface
  private interface Body<T> {
    T run() throws Exception;
  }

  private static <T> void call(StreamObserver<T> response, Body<T> body) {
    T result;
    try {
      result = body.run();
    } catch (ConfigException e) {
      response.onError(
          Status.INVALID_ARGUMENT
              .withDescription(
                  e.errors().stream().map(ConfigError::toString).collect(Collectors.joining("\n")))
              .asRuntimeException());
      return;
    } catch (StatusRuntimeException e) {
      response.onError(e);
      return;
    } catch (Exception e) {
      log.error("management call failed", e);
      response.onError(
          Status.INTERNAL.withDescription(String.valueOf(e.getMessage())).asRuntimeException());
      return;
    }
    response.onNext(result);
    response.onCompleted();
  }
}
