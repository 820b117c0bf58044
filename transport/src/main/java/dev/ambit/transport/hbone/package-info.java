/**
 * HBONE: HTTP/2 CONNECT tunnels over mesh mutual TLS.
 *
 * <p>Client side ({@link dev.ambit.transport.hbone.HbonePool}): one pool per process, shared TLS
 * connections per {source identity, destination identities, proxy address, socket factory}.
 *
 * <pre>{@code
 * HbonePool pool = new HbonePool(workers, HbonePoolConfig.defaults());
 * var sockets = NetnsChannelFactory.socket(podNetns, ch -> SocketOptions.mark(ch, SocketOptions.ZTUNNEL_MARK));
 * // app: accepted on 15001 with Relay.holdInbound() in its initializer and ALLOW_HALF_CLOSURE on
 * HboneTarget target = new HboneTarget(new InetSocketAddress(peerNodeIp, 15008), Authority.format(originalDst),
 *     Set.of(destinationIdentity), Map.of("forwarded", "for=" + clientIp));
 * pool.connect(target, workloadCert, sockets).whenComplete((stream, error) -> {
 *   if (error != null) Relay.abort(app); // HboneException#status(): 401, 503, ... or 0
 *   else Relay.splice(app, stream, counters).thenAccept(result -> accessLog(result, counters));
 * });
 * }</pre>
 *
 * <p>Server side ({@link dev.ambit.transport.hbone.HboneServer}): a {@link
 * dev.ambit.transport.hbone.ServerTlsSelector} picks the certificate per accepted connection, a
 * {@link dev.ambit.transport.hbone.HboneStreamHandler} answers each CONNECT with {@code
 * stream.accept(upstream, counters)} (200 + relay), {@code stream.accept()} (200, raw byte stream,
 * e.g. for a waypoint's HTTP codecs) or {@code stream.reject(status)}.
 */
package dev.ambit.transport.hbone;
