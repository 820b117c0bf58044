/**
 * Mesh mutual TLS on Netty with BoringSSL: TLS 1.3, ALPN h2, peers verified by trust root and
 * SPIFFE identity instead of host name ({@link dev.ambit.transport.tls.MeshTls}), and a cache of
 * contexts that follows certificate rotation ({@link dev.ambit.transport.tls.TlsContexts}).
 */
package dev.ambit.transport.tls;
