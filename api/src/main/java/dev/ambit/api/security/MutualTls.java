package dev.ambit.api.security;

/** The {@code mtls} setting of a PeerAuthentication; {@code mode} null means UNSET (inherit). */
public record MutualTls(MtlsMode mode) {}
