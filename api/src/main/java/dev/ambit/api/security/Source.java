package dev.ambit.api.security;

import dev.ambit.api.Values;
import dev.ambit.api.schema.Check;
import dev.ambit.api.schema.NotImplemented;
import dev.ambit.api.schema.Rule;
import java.util.List;

/**
 * Who sends a request: principals ({@code <trust-domain>/ns/<ns>/sa/<sa>}, with {@code *} prefix or
 * suffix wildcards), namespaces, and source IP blocks. Fields are ANDed, values within a field
 * ORed.
 */
@NotImplemented({
  "requestPrincipals",
  "notRequestPrincipals",
  "remoteIpBlocks",
  "notRemoteIpBlocks",
  "serviceAccounts",
  "notServiceAccounts"
})
public record Source(
    List<String> principals,
    List<String> notPrincipals,
    List<String> namespaces,
    List<String> notNamespaces,
    @Check(Rule.CIDR) List<String> ipBlocks,
    @Check(Rule.CIDR) List<String> notIpBlocks) {

  public Source {
    principals = Values.list(principals);
    notPrincipals = Values.list(notPrincipals);
    namespaces = Values.list(namespaces);
    notNamespaces = Values.list(notNamespaces);
    ipBlocks = Values.list(ipBlocks);
    notIpBlocks = Values.list(notIpBlocks);
  }
}
