package dev.ambit.api.security;

/** What an AuthorizationPolicy does with the requests its rules match. */
public enum AuthorizationAction {
  ALLOW,
  DENY
}
