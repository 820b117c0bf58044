package dev.ambit.api.gateway;

/** How a header or query parameter match compares values. */
public enum HeaderMatchType {
  Exact,
  RegularExpression
}
