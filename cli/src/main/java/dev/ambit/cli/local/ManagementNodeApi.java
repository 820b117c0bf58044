package dev.ambit.cli.local;

import dev.ambit.node.agent.ContainerSpec;
import dev.ambit.node.agent.NodeApi;
import dev.ambit.node.agent.NodeView;
import dev.ambit.node.agent.PodReport;
import dev.ambit.node.agent.PodSpec;
import dev.ambit.node.net.PodHosts.ServiceEntry;
import dev.ambit.proto.client.ManagementClient;
import dev.ambit.proto.client.ReconnectLog;
import dev.ambit.proto.control.ContainerInfo;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.control.WatchEvent;
import dev.ambit.proto.control.WatchRequest;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node agent's view of the control plane, over the management API: watches the node's pods and
 * every Service (for the pods' hosts files), re-watching when the control plane restarts, and
 * reports pod statuses.
 */
public final class ManagementNodeApi implements NodeApi {
  private static final Logger log = LoggerFactory.getLogger(ManagementNodeApi.class);
  private static final long REWATCH_MS = 1000;
  private final ReconnectLog rewatches = new ReconnectLog(log, "watch of the control plane");
  private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
      new com.fasterxml.jackson.databind.ObjectMapper();

  private final ManagementClient client;
  private final Function<PodInfo, List<ContainerSpec>> waypointContainers;
  private final ScheduledExecutorService retry =
      Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "management-watch"));

  /**
   * @param waypointContainers what runs in a waypoint pod (the control plane marks it with the
   *     Gateway's name and leaves its containers to the node)
   */
  public ManagementNodeApi(
      ManagementClient client, Function<PodInfo, List<ContainerSpec>> waypointContainers) {
    this.client = client;
    this.waypointContainers = waypointContainers;
  }

  @Override
  public AutoCloseable watch(String node, Consumer<NodeView> onChange) {
    Session session = new Session(node, onChange);
    session.start();
    return () -> {
      session.closed = true;
      session.cancel();
      retry.shutdownNow();
    };
  }

  @Override
  public void report(PodReport r) {
    client.updatePodStatus(r.namespace(), r.name(), r.podIp(), r.phase());
  }

  /** One watch of pods and services; restarted as a whole when either stream ends. */
  private final class Session {
    final String node;
    final Consumer<NodeView> onChange;
    volatile boolean closed;
    Context.CancellableContext context;
    Map<String, PodInfo> pods;
    Map<String, ServiceEntry> services;
    boolean podsSynced;
    boolean servicesSynced;

    Session(String node, Consumer<NodeView> onChange) {
      this.node = node;
      this.onChange = onChange;
    }

    synchronized void start() {
      if (closed) {
        return;
      }
      pods = new ConcurrentHashMap<>();
      services = new ConcurrentHashMap<>();
      podsSynced = false;
      servicesSynced = false;
      context = Context.current().withCancellation();
      Context.CancellableContext ctx = context;
      ctx.run(
          () -> {
            client
                .asyncStub()
                .watch(
                    WatchRequest.newBuilder().setKind("Pod").setNode(node).build(),
                    observer(ctx, true));
            client
                .asyncStub()
                .watch(WatchRequest.newBuilder().setKind("Service").build(), observer(ctx, false));
          });
    }

    synchronized void cancel() {
      if (context != null) {
        context.cancel(null);
      }
    }

    private StreamObserver<WatchEvent> observer(Context.CancellableContext ctx, boolean podStream) {
      return new StreamObserver<>() {
        @Override
        public void onNext(WatchEvent e) {
          synchronized (Session.this) {
            if (ctx != context) {
              return;
            }
            if (podStream) {
              onPod(e);
            } else {
              onService(e);
            }
            if (podsSynced && servicesSynced) {
              rewatches.restored();
              publish();
            }
          }
        }

        @Override
        public void onError(Throwable t) {
          restart(ctx, ReconnectLog.describe(t));
        }

        @Override
        public void onCompleted() {
          restart(ctx, "stream ended");
        }
      };
    }

    private void onPod(WatchEvent e) {
      switch (e.getType()) {
        case ADDED, MODIFIED -> pods.put(key(e.getPod()), e.getPod());
        case DELETED -> pods.remove(key(e.getPod()));
        case SYNCED -> podsSynced = true;
        default -> {}
      }
    }

    private void onService(WatchEvent e) {
      var ref = e.getObject().getRef();
      String key = ref.getNamespace() + "/" + ref.getName();
      switch (e.getType()) {
        case ADDED, MODIFIED ->
            services.put(
                key,
                new ServiceEntry(
                    ref.getNamespace(), ref.getName(), clusterIp(e.getObject().getJson())));
        case DELETED -> services.remove(key);
        case SYNCED -> servicesSynced = true;
        default -> {}
      }
    }

    private void publish() {
      List<PodSpec> specs = pods.values().stream().map(ManagementNodeApi.this::toSpec).toList();
      onChange.accept(new NodeView(specs, List.copyOf(services.values())));
    }

    private void restart(Context.CancellableContext ctx, String why) {
      synchronized (this) {
        if (closed || ctx != context) {
          return;
        }
        ctx.cancel(null);
        context = null;
      }
      rewatches.failed(why, Duration.ofMillis(REWATCH_MS));
      retry.schedule(this::start, REWATCH_MS, TimeUnit.MILLISECONDS);
    }
  }

  /** A Service's VIP from its JSON ("" before the control plane assigned one). */
  static String clusterIp(String json) {
    try {
      return JSON.readTree(json).path("spec").path("clusterIP").asText("");
    } catch (java.io.IOException e) {
      return "";
    }
  }

  private static String key(PodInfo p) {
    return p.getNamespace() + "/" + p.getName();
  }

  PodSpec toSpec(PodInfo p) {
    List<ContainerSpec> containers = new ArrayList<>();
    boolean noCommands = p.getContainersList().stream().allMatch(c -> c.getCommandCount() == 0);
    if (!p.getWaypointForGateway().isEmpty() && noCommands) {
      containers.addAll(waypointContainers.apply(p));
    } else {
      for (ContainerInfo c : p.getContainersList()) {
        containers.add(
            new ContainerSpec(
                c.getName(),
                c.getImage(),
                c.getCommandList(),
                c.getArgsList(),
                c.getEnvMap(),
                c.getPortsList().stream().map(pt -> pt.getContainerPort()).toList()));
      }
    }
    return new PodSpec(
        p.getNamespace(),
        p.getName(),
        p.getServiceAccount(),
        p.getLabelsMap(),
        containers,
        p.getAmbient());
  }
}
