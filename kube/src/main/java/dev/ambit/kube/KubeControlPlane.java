package dev.ambit.kube;

import dev.ambit.control.ControlPlane;
import dev.ambit.kube.identity.KubeTokenAuthenticator;
import dev.ambit.kube.identity.RootConfigMaps;
import dev.ambit.kube.source.KubeConfigSource;
import dev.ambit.kube.waypoint.WaypointReconciler;
import dev.ambit.kube.waypoint.WaypointTemplate;
import dev.ambit.transport.identity.Pem;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The control plane in Kubernetes mode: the Kubernetes API owns the configuration ({@link
 * KubeConfigSource} mirrors it into the store before the first state is built and served; no local
 * scheduling, VIP allocation or persistence), ztunnels and waypoints authenticate with
 * service-account tokens ({@link KubeTokenAuthenticator}). Every replica serves xDS and the CA; the
 * replica that leads ({@link Leadership}, when an election is configured) also deploys waypoints
 * and writes status ({@link WaypointReconciler}) and publishes the mesh root ({@link
 * RootConfigMaps}).
 */
public final class KubeControlPlane implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(KubeControlPlane.class);

  /**
   * Kubernetes-mode settings on top of the control plane's. {@code namespace} is where the control
   * plane runs (its Service {@code ambit-control} there is the xDS/CA address waypoints are given,
   * and the mesh root is always published there); {@code rootConfigMap} names the ConfigMap with
   * the mesh root that proxies verify the control plane with; {@code clusterId} is the cluster part
   * of workload uids ({@code <cluster>//Pod/<ns>/<name>}); {@code election} null means no leader
   * election: this instance does the leader's work unconditionally.
   */
  public record Options(
      ControlPlane.Options control,
      String tokenAudience,
      Set<String> nodeAccounts,
      Duration resync,
      String waypointImage,
      Duration listTimeout,
      String namespace,
      String rootConfigMap,
      String clusterId,
      Leadership.Election election) {

    public static final String DEFAULT_NAMESPACE = "istio-system";
    public static final String DEFAULT_CLUSTER_ID = "Kubernetes";
    public static final String DEFAULT_ROOT_CONFIG_MAP = "ambit-ca-root";

    public static Options defaults(ControlPlane.Options control) {
      return new Options(
          control,
          KubeTokenAuthenticator.DEFAULT_AUDIENCE,
          Set.of(KubeTokenAuthenticator.DEFAULT_NODE_ACCOUNT),
          Duration.ofMinutes(10),
          "ambit/waypoint:latest",
          Duration.ofMinutes(2),
          DEFAULT_NAMESPACE,
          DEFAULT_ROOT_CONFIG_MAP,
          DEFAULT_CLUSTER_ID,
          null);
    }

    /** These options with a leader election among replicas; {@code identity} names this one. */
    public Options electing(String identity) {
      return new Options(
          control,
          tokenAudience,
          nodeAccounts,
          resync,
          waypointImage,
          listTimeout,
          namespace,
          rootConfigMap,
          clusterId,
          Leadership.Election.of(namespace, identity));
    }

    /** These options with {@code election} (null: none). */
    public Options withElection(Leadership.Election election) {
      return new Options(
          control,
          tokenAudience,
          nodeAccounts,
          resync,
          waypointImage,
          listTimeout,
          namespace,
          rootConfigMap,
          clusterId,
          election);
    }

    /** The xDS/CA address proxies in pods dial: the control plane's Service. */
    public String xdsAddress() {
      return "ambit-control." + namespace + ".svc:" + control.xdsAddress().getPort();
    }

    WaypointTemplate waypointTemplate() {
      return new WaypointTemplate(
          waypointImage, xdsAddress(), tokenAudience, rootConfigMap, control.trustDomain());
    }
  }

  private final List<AutoCloseable> closeables = new ArrayList<>();
  private ControlPlane controlPlane;
  private volatile KubeConfigSource source;
  private Leadership leadership;

  private KubeControlPlane() {}

  /** Starts everything; returns once the store mirrors the cluster. */
  public static KubeControlPlane start(KubernetesClient client, Options options) {
    KubeControlPlane kube = new KubeControlPlane();
    try {
      KubeTokenAuthenticator tokens =
          new KubeTokenAuthenticator(
              client,
              options.tokenAudience(),
              options.nodeAccounts(),
              options.control().trustDomain(),
              Duration.ofMinutes(1),
              Clock.systemUTC());
      kube.controlPlane =
          ControlPlane.start(
              options
                  .control()
                  .withClusterId(options.clusterId())
                  .external(
                      tokens,
                      store ->
                          kube.source =
                              KubeConfigSource.start(
                                  client, store, options.resync(), options.listTimeout())));
      kube.closeables.add(kube.controlPlane);
      if (options.election() == null) {
        kube.closeables.add(kube.leaderWork(client, options));
      } else {
        kube.leadership =
            new Leadership(client, options.election(), () -> kube.leaderWork(client, options))
                .start();
        kube.closeables.add(kube.leadership);
      }
      log.info("Kubernetes mode ready: API server {}", client.getMasterUrl());
    } catch (RuntimeException e) {
      kube.close();
      throw e;
    }
    return kube;
  }

  /** What only one replica does at a time. */
  private AutoCloseable leaderWork(KubernetesClient client, Options options) {
    ControlPlane cp = controlPlane;
    RootConfigMaps roots =
        new RootConfigMaps(
                client,
                cp.store(),
                options.namespace(),
                options.rootConfigMap(),
                Pem.encode(cp.ca().root()))
            .start(options.listTimeout());
    WaypointReconciler waypoints;
    try {
      waypoints =
          new WaypointReconciler(client, cp.store(), options.waypointTemplate())
              .start(options.listTimeout());
    } catch (RuntimeException e) {
      roots.close();
      throw e;
    }
    return () -> {
      waypoints.close();
      roots.close();
    };
  }

  public ControlPlane controlPlane() {
    return controlPlane;
  }

  public KubeConfigSource source() {
    return source;
  }

  /** Whether this instance does the leader's work (always, without an election). */
  public boolean leading() {
    return leadership == null || leadership.leading();
  }

  @Override
  public void close() {
    List<AutoCloseable> all = new ArrayList<>(closeables);
    Collections.reverse(all);
    for (AutoCloseable c : all) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("error while stopping: {}", e.getMessage());
      }
    }
  }
}
