package dev.ambit.api.gateway;

/** The HTTPRoute filters Ambit implements. */
public enum FilterType {
  RequestHeaderModifier,
  ResponseHeaderModifier,
  RequestRedirect,
  URLRewrite,
  RequestMirror
}
