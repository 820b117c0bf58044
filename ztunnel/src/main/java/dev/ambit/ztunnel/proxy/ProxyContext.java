package dev.ambit.ztunnel.proxy;

import dev.ambit.transport.hbone.HbonePool;
import dev.ambit.transport.tls.TlsContexts;
import dev.ambit.ztunnel.ZtunnelConfig;
import dev.ambit.ztunnel.authz.OpenConnections;
import dev.ambit.ztunnel.identity.CertificateManager;
import dev.ambit.ztunnel.state.StateStore;
import dev.ambit.ztunnel.state.StateWaiter;
import dev.ambit.ztunnel.telemetry.TcpMetrics;
import io.netty.channel.EventLoopGroup;

/** What every pod's listeners share: state, certificates, HBONE pool, telemetry, policy. */
public record ProxyContext(
    ZtunnelConfig config,
    EventLoopGroup group,
    StateStore state,
    StateWaiter waiter,
    CertificateManager certificates,
    TlsContexts tls,
    HbonePool pool,
    TcpMetrics metrics,
    OpenConnections open) {}
