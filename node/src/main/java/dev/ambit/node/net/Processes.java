package dev.ambit.node.net;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Stopping processes by pid: TERM, wait, then KILL. */
public final class Processes {
  private Processes() {}

  public static void terminate(List<Long> pids, Duration grace) {
    List<ProcessHandle> handles =
        pids.stream().map(ProcessHandle::of).flatMap(Optional::stream).toList();
    handles.forEach(ProcessHandle::destroy);
    CompletableFuture<?>[] exits =
        handles.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new);
    try {
      CompletableFuture.allOf(exits).get(grace.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      handles.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
      CompletableFuture.allOf(exits).orTimeout(5, TimeUnit.SECONDS).exceptionally(x -> null).join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      handles.forEach(ProcessHandle::destroyForcibly);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }
}
