package dev.ambit.transport.hbone;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Picks the server TLS context for an accepted connection, typically by its local address (with
 * TPROXY: the original destination, i.e. the destination workload). May complete later (e.g. after
 * fetching a certificate); completing with null or exceptionally closes the connection.
 */
@FunctionalInterface
public interface ServerTlsSelector {

  CompletionStage<SslContext> select(Channel accepted);

  /** Always the same context. */
  static ServerTlsSelector fixed(SslContext context) {
    CompletableFuture<SslContext> done = CompletableFuture.completedFuture(context);
    return accepted -> done;
  }
}
