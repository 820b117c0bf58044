package dev.ambit.transport.netns;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs code with the current thread inside another network namespace ({@code setns(2)} through
 * {@code java.lang.foreign}), then switches back. Sockets keep the namespace they were created in,
 * so creating a socket inside {@link #run} gives a socket of that namespace usable from any thread.
 *
 * <p>Only platform threads can switch; calls from a virtual thread are carried out on a dedicated
 * platform thread (and the virtual thread waits). Keep the body short: just the socket creation.
 * Needs CAP_SYS_ADMIN and {@code --enable-native-access}.
 */
public final class Netns {

  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;
  private static final Path SELF = Path.of("/proc/thread-self/ns/net");

  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle OPEN;
  private static final MethodHandle CLOSE;
  private static final MethodHandle SETNS;
  private static final MethodHandle STRERROR;

  static {
    Linker linker = Linker.nativeLinker();
    var libc = linker.defaultLookup();
    Linker.Option errno = Linker.Option.captureCallState("errno");
    OPEN =
        linker.downcallHandle(
            libc.find("open").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT),
            errno);
    CLOSE =
        linker.downcallHandle(
            libc.find("close").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    SETNS =
        linker.downcallHandle(
            libc.find("setns").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT),
            errno);
    STRERROR =
        linker.downcallHandle(
            libc.find("strerror").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
  }

  private static final ExecutorService CARRIER =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = Thread.ofPlatform().daemon().name("ambit-netns").unstarted(r);
            return t;
          });

  private Netns() {}

  /**
   * Calls {@code body} with the current thread in the network namespace {@code netns} (e.g. {@code
   * /var/run/netns/NAME} or {@code /proc/PID/ns/net}) and switches back before returning, also on
   * failure. A null {@code netns} runs {@code body} in place.
   *
   * @throws NetnsException when the namespace cannot be entered (or, fatally for the thread, left)
   */
  public static <T> T run(Path netns, Callable<T> body) throws Exception {
    if (netns == null) {
      return body.call();
    }
    if (Thread.currentThread().isVirtual()) {
      Future<T> result = CARRIER.submit(() -> switched(netns, body));
      try {
        return result.get();
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
    return switched(netns, body);
  }

  private static <T> T switched(Path netns, Callable<T> body) throws Exception {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment state = arena.allocate(CAPTURE);
      int original = open(arena, state, SELF);
      try {
        int target = open(arena, state, netns);
        try {
          setns(state, target, netns);
        } finally {
          close(target);
        }
        try {
          return body.call();
        } finally {
          setns(state, original, SELF);
        }
      } finally {
        close(original);
      }
    } catch (Exception | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IllegalStateException(t);
    }
  }

  private static void close(int fd) throws Throwable {
    int rc = (int) CLOSE.invokeExact(fd);
    assert rc == 0 : "close(" + fd + ") failed";
  }

  private static int open(Arena arena, MemorySegment state, Path path) throws Throwable {
    int fd =
        (int) OPEN.invokeExact(state, arena.allocateFrom(path.toString()), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      throw new NetnsException("cannot open network namespace " + path + ": " + error(state));
    }
    return fd;
  }

  private static void setns(MemorySegment state, int fd, Path path) throws Throwable {
    int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
    if (rc != 0) {
      throw new NetnsException("setns into " + path + " failed: " + error(state));
    }
  }

  private static String error(MemorySegment state) throws Throwable {
    int errno = (int) ERRNO.get(state, 0L);
    MemorySegment message = (MemorySegment) STRERROR.invokeExact(errno);
    return message.reinterpret(1024).getString(0) + " (errno " + errno + ")";
  }
}
