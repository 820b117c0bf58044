package dev.ambit.transport.hbone;

/**
 * Receives byte counts from a {@link Relay}. Called on the event loop of the channel the bytes were
 * read from, once per read buffer, so implementations must be cheap, must not block and should not
 * allocate (e.g. add to pre-resolved metric cells). {@link ByteCounters} is a ready-made one.
 */
public interface RelayCounters {

  /** {@code bytes} were read from side A and written to side B. */
  void aToB(int bytes);

  /** {@code bytes} were read from side B and written to side A. */
  void bToA(int bytes);

  /** Counters that drop everything. */
  RelayCounters NONE =
      new RelayCounters() {
        @Override
        public void aToB(int bytes) {}

        @Override
        public void bToA(int bytes) {}
      };
}
