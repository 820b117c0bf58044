package dev.ambit.node.testing;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

/** Runs code on a fresh platform thread switched into a network namespace with setns(2). */
public final class InNetns {
  private static final int O_RDONLY = 0;
  private static final int CLONE_NEWNET = 0x40000000;
  private static final Linker LINKER = Linker.nativeLinker();
  private static final MethodHandle OPEN =
      fn("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
  private static final MethodHandle SETNS =
      fn("setns", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
  private static final MethodHandle CLOSE = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private InNetns() {}

  private static MethodHandle fn(String name, FunctionDescriptor d) {
    return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), d);
  }

  public static <T> T call(Path netns, Callable<T> body) {
    CompletableFuture<T> result = new CompletableFuture<>();
    Thread t =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    enter(netns);
                    result.complete(body.call());
                  } catch (Throwable e) {
                    result.completeExceptionally(e);
                  }
                });
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    return result.join();
  }

  public static Path named(String name) {
    return Path.of("/var/run/netns", name);
  }

  private static void enter(Path netns) throws Throwable {
    try (Arena arena = Arena.ofConfined()) {
      int fd = (int) OPEN.invokeExact(arena.allocateFrom(netns.toString()), O_RDONLY);
      if (fd < 0) {
        throw new IllegalStateException("cannot open " + netns);
      }
      try {
        int rc = (int) SETNS.invokeExact(fd, CLONE_NEWNET);
        if (rc != 0) {
          throw new IllegalStateException("setns failed for " + netns);
        }
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    }
  }
}
