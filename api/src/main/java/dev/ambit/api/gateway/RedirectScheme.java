package dev.ambit.api.gateway;

/** The scheme of a redirect. */
public enum RedirectScheme {
  http,
  https
}
