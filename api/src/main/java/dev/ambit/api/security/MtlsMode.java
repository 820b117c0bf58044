package dev.ambit.api.security;

/** Whether a workload accepts plaintext: STRICT (mTLS only), PERMISSIVE (both), DISABLE, UNSET. */
public enum MtlsMode {
  UNSET,
  DISABLE,
  PERMISSIVE,
  STRICT
}
