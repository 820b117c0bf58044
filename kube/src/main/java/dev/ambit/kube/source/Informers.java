package dev.ambit.kube.source;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Stopping informers: their watches are closed before this returns (or 5 s went by). */
public final class Informers {

  private static final Logger log = LoggerFactory.getLogger(Informers.class);

  private Informers() {}

  public static void close(List<? extends SharedIndexInformer<?>> informers) {
    informers.forEach(SharedIndexInformer::stop);
    CompletableFuture<?>[] stopped =
        informers.stream()
            .map(i -> i.stopped().toCompletableFuture())
            .toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(stopped).get(5, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      log.debug("an informer stopped with an error: {}", e.getCause().toString());
    } catch (TimeoutException e) {
      log.warn("informers did not stop within 5 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
