package dev.ambit.ztunnel.identity;

import dev.ambit.transport.identity.SpiffeId;
import dev.ambit.transport.identity.WorkloadCertificate;

/** Obtains a fresh certificate for a workload identity (for example, from the mesh CA). */
@FunctionalInterface
public interface CertificateSource {

  /** Fetches a new certificate for {@code id}; may block (called on a virtual thread). */
  WorkloadCertificate fetch(SpiffeId id) throws Exception;
}
