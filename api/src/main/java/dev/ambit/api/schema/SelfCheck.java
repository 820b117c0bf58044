package dev.ambit.api.schema;

/**
 * A record with rules spanning several fields (mutually exclusive fields, a type discriminator,
 * ordering between values). Called after its fields were read without error.
 */
public interface SelfCheck {
  void check(Checks checks);
}
