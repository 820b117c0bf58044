package dev.ambit.api.gateway;

/** How an HTTPRoute path match compares the request path. */
public enum PathMatchType {
  Exact,
  PathPrefix,
  RegularExpression
}
