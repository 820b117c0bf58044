package dev.ambit.waypoint.proxy;

import dev.ambit.waypoint.authz.AuthzRequest;
import dev.ambit.waypoint.authz.L7Authorizer;
import dev.ambit.waypoint.metrics.ResponseFlag;
import dev.ambit.waypoint.route.RequestTarget;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** L7 authorization: a denied request is answered 403 "RBAC: access denied" here. */
final class AuthzFilter implements HttpFilter {

  private static final Logger LOG = LoggerFactory.getLogger(AuthzFilter.class);

  @Override
  public CompletableFuture<ProxyResponse> filter(Exchange ex, HttpHandler next) {
    Downstream d = ex.downstream;
    AuthzRequest req =
        new AuthzRequest(
            d.principal(),
            d.sourceIp(),
            d.port(),
            true,
            ex.request.method().name(),
            new RequestTarget(ex.request.uri()).path(),
            ex.request.headers().get(HttpHeaderNames.HOST),
            ex.request.headers());
    L7Authorizer.Decision decision =
        d.service() == null
            ? ex.snapshot.authz().evaluate(null, null, req)
            : ex.snapshot.authz().evaluate(d.service().namespace(), d.service().name(), req);
    if (!decision.allowed()) {
      LOG.debug(
          "denied {} {} from {} by {}", req.method(), req.path(), d.principal(), decision.policy());
      ex.flag = ResponseFlag.UNAUTHORIZED;
      return CompletableFuture.completedFuture(LocalReplies.reply(403, LocalReplies.RBAC_DENIED));
    }
    return next.handle(ex);
  }
}
