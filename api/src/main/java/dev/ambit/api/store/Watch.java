package dev.ambit.api.store;

/** A subscription made with {@link ConfigStore#watch}; closing it stops the deliveries. */
public interface Watch extends AutoCloseable {
  @Override
  void close();
}
