/**
 * Workload identities: {@link dev.ambit.transport.identity.SpiffeId}, the credentials a workload
 * presents ({@link dev.ambit.transport.identity.WorkloadCertificate}), the certificate authority's
 * crypto ({@link dev.ambit.transport.identity.CertificateIssuer}) and PEM encoding ({@link
 * dev.ambit.transport.identity.Pem}).
 */
package dev.ambit.transport.identity;
