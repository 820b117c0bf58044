package dev.ambit.api.core;

/** The kinds of Service Ambit implements. */
public enum ServiceType {
  ClusterIP
}
