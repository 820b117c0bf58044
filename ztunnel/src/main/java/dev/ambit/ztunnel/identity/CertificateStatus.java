package dev.ambit.ztunnel.identity;

import java.time.Instant;

/**
 * What {@code /config_dump} shows about one workload certificate.
 *
 * @param identity the SPIFFE id
 * @param notAfter expiry of the certificate being served, or null when none arrived yet
 * @param state e.g. "valid", "pending", "renewal failing: ..."
 */
public record CertificateStatus(String identity, Instant notAfter, String state) {}
