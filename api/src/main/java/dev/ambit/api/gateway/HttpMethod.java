package dev.ambit.api.gateway;

/** HTTP methods an HTTPRoute can match. */
public enum HttpMethod {
  GET,
  HEAD,
  POST,
  PUT,
  DELETE,
  CONNECT,
  OPTIONS,
  TRACE,
  PATCH
}
