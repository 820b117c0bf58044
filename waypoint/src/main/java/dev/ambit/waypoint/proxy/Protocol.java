package dev.ambit.waypoint.proxy;

/** What a downstream stream speaks, decided by sniffing its first bytes. */
public enum Protocol {
  HTTP1,
  HTTP2,
  TCP
}
