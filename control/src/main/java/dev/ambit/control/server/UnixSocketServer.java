package dev.ambit.control.server;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * gRPC over a unix domain socket whose file is readable and writable by its owner only (0600): the
 * file permissions are the authentication of the management API.
 */
public final class UnixSocketServer implements AutoCloseable {

  private final Server server;
  private final EventLoopGroup group;
  private final Path path;

  public UnixSocketServer(Path path, BindableService service) {
    this.path = path;
    this.group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    try {
      Files.deleteIfExists(path);
      server =
          NettyServerBuilder.forAddress(new DomainSocketAddress(path.toString()))
              .channelType(EpollServerDomainSocketChannel.class)
              .bossEventLoopGroup(group)
              .workerEventLoopGroup(group)
              .executor(Executors.newVirtualThreadPerTaskExecutor())
              .addService(service)
              .build()
              .start();
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
    } catch (IOException e) {
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new UncheckedIOException("cannot listen on " + path + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
      Files.deleteIfExists(path);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (IOException e) {
      // the socket file is gone with the process anyway
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
