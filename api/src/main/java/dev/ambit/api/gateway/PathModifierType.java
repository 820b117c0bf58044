package dev.ambit.api.gateway;

/** How a redirect or rewrite changes the path. */
public enum PathModifierType {
  ReplaceFullPath,
  ReplacePrefixMatch
}
