package dev.ambit.api.core;

/** Transport protocols of Service and container ports that Ambit implements. */
public enum Protocol {
  TCP
}
