package dev.ambit.api.core;

/** The lifecycle phase of a Pod, as in Kubernetes. */
public enum PodPhase {
  Pending,
  Running,
  Succeeded,
  Failed,
  Unknown
}
