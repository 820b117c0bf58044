package dev.ambit.proto.client;

import dev.ambit.proto.control.ManagementGrpc;
import dev.ambit.proto.control.PodInfo;
import dev.ambit.proto.control.PodStatusUpdate;
import dev.ambit.proto.control.RegisterNodeRequest;
import dev.ambit.proto.control.WatchEvent;
import dev.ambit.proto.control.WatchRequest;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Client of the control plane's management API on its unix socket ({@code
 * $AMBIT_HOME/control.sock}).
 *
 * <pre>{@code
 * try (ManagementClient mgmt = ManagementClient.connect(home.resolve("control.sock"))) {
 *   mgmt.registerNode("node1", "10.240.0.11", credentialsDir);
 *   Watch w = mgmt.watchPods("node1", new PodListener() {
 *     public void added(PodInfo pod) { ... start it ... }
 *     public void modified(PodInfo pod) { ... }
 *     public void deleted(PodInfo pod) { ... }
 *   });
 *   mgmt.updatePodStatus("default", "curl", "10.241.1.2", "Running");
 * }
 * }</pre>
 *
 * For everything else use {@link #stub()} (blocking) directly.
 */
public final class ManagementClient implements AutoCloseable {

  private final ManagedChannel channel;

  private ManagementClient(ManagedChannel channel) {
    this.channel = channel;
  }

  /** Connects to the socket; fails fast with a clear message when it does not exist. */
  public static ManagementClient connect(Path socket) {
    if (!Files.exists(socket)) {
      throw new IllegalStateException(
          "no control plane socket at " + socket + " (is `ambit control` running for this home?)");
    }
    return new ManagementClient(
        Grpc.newChannelBuilder(
                "unix://" + socket.toAbsolutePath(), InsecureChannelCredentials.create())
            .build());
  }

  public ManagementGrpc.ManagementBlockingStub stub() {
    return ManagementGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  public ManagementGrpc.ManagementStub asyncStub() {
    return ManagementGrpc.newStub(channel);
  }

  public void registerNode(String name, String address, Path credentialsDir) {
    stub()
        .registerNode(
            RegisterNodeRequest.newBuilder()
                .setName(name)
                .setAddress(address == null ? "" : address)
                .setCredentialsDir(
                    credentialsDir == null ? "" : credentialsDir.toAbsolutePath().toString())
                .build());
  }

  public void updatePodStatus(String namespace, String name, String podIp, String phase) {
    stub()
        .updatePodStatus(
            PodStatusUpdate.newBuilder()
                .setNamespace(namespace)
                .setName(name)
                .setPodIp(podIp == null ? "" : podIp)
                .setPhase(phase == null ? "" : phase)
                .build());
  }

  /** Pod events of one node (all nodes when {@code node} is empty). */
  public interface PodListener {
    void added(PodInfo pod);

    void modified(PodInfo pod);

    void deleted(PodInfo pod);

    /** The initial pods have all been delivered. */
    default void synced() {}

    /** The watch ended (control plane gone); re-watch to resume. */
    default void closed(Throwable cause) {}
  }

  /** A running watch; {@link #close()} cancels it. */
  public interface Watch extends AutoCloseable {
    @Override
    void close();
  }

  public Watch watchPods(String node, PodListener listener) {
    Context.CancellableContext ctx = Context.current().withCancellation();
    ctx.run(
        () ->
            asyncStub()
                .watch(
                    WatchRequest.newBuilder()
                        .setKind("Pod")
                        .setNode(node == null ? "" : node)
                        .build(),
                    new StreamObserver<>() {
                      @Override
                      public void onNext(WatchEvent e) {
                        switch (e.getType()) {
                          case ADDED -> listener.added(e.getPod());
                          case MODIFIED -> listener.modified(e.getPod());
                          case DELETED -> listener.deleted(e.getPod());
                          case SYNCED -> listener.synced();
                          default -> {}
                        }
                      }

                      @Override
                      public void onError(Throwable t) {
                        listener.closed(t);
                      }

                      @Override
                      public void onCompleted() {
                        listener.closed(null);
                      }
                    }));
    return () -> ctx.cancel(null);
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}
