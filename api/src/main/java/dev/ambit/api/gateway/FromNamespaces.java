package dev.ambit.api.gateway;

/** Which namespaces may attach routes to a listener. */
public enum FromNamespaces {
  All,
  Same,
  Selector
}
