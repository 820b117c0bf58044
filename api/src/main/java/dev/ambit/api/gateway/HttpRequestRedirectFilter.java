package dev.ambit.api.gateway;

import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.Rule;

/** Answers with a redirect; unset parts keep the request's. {@code statusCode} null means 302. */
public record HttpRequestRedirectFilter(
    RedirectScheme scheme,
    @Check(Rule.HOSTNAME) String hostname,
    HttpPathModifier path,
    @Check(Rule.PORT) Integer port,
    @Check(Rule.REDIRECT_CODE) Integer statusCode) {}
