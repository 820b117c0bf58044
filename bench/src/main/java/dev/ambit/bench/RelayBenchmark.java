package dev.ambit.bench;

import dev.ambit.transport.hbone.ByteCounters;
import dev.ambit.transport.hbone.Relay;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The relay's work per 16 KiB chunk: a pooled buffer read on one channel is counted and written and
 * flushed to the other channel, both ways. The channels are in-memory ({@link EmbeddedChannel}), so
 * this is the relay and Netty's pipeline without sockets, TLS or HTTP/2 framing. Run with {@code
 * -prof gc}: it must allocate ~0 B/op (the buffer is passed on, never copied).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RelayBenchmark {

  private static final int CHUNK = 16 * 1024;

  private EmbeddedChannel captured;
  private EmbeddedChannel stream;
  private ByteBuf chunk;

  @Setup(Level.Trial)
  public void setUp() {
    captured = new EmbeddedChannel();
    stream = new EmbeddedChannel();
    Relay.splice(captured, stream, new ByteCounters());
    captured.runPendingTasks();
    stream.runPendingTasks();
    chunk = PooledByteBufAllocator.DEFAULT.directBuffer(CHUNK);
    chunk.writeZero(CHUNK);
    if (relay(captured, stream) != CHUNK || relay(stream, captured) != CHUNK) {
      throw new IllegalStateException("the relay did not pass the chunk on");
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    chunk.release();
    captured.finishAndReleaseAll();
    stream.finishAndReleaseAll();
  }

  /** One chunk from the captured socket's side to the HBONE stream's side. */
  @Benchmark
  public int outbound() {
    return relay(captured, stream);
  }

  /** One chunk back. */
  @Benchmark
  public int inbound() {
    return relay(stream, captured);
  }

  private int relay(EmbeddedChannel from, EmbeddedChannel to) {
    from.pipeline().fireChannelRead(chunk.retainedDuplicate()).fireChannelReadComplete();
    ByteBuf out = to.readOutbound();
    int n = out.readableBytes();
    out.release();
    return n;
  }
}
