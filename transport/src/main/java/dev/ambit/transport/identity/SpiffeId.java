package dev.ambit.transport.identity;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A workload identity of the form {@code
 * spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>}.
 *
 * <p>The trust domain is lower case letters, digits, dots, dashes and underscores; namespace and
 * service account are non-empty path segments of letters, digits, dots, dashes and underscores.
 * Instances are always valid: the canonical constructor rejects anything else with {@link
 * IllegalArgumentException}.
 */
public record SpiffeId(String trustDomain, String namespace, String serviceAccount) {

  private static final String SCHEME = "spiffe://";
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]{1,253}");

  public SpiffeId {
    require(
        trustDomain != null && TRUST_DOMAIN.matcher(trustDomain).matches(),
        "trust domain",
        trustDomain);
    require(namespace != null && validSegment(namespace), "namespace", namespace);
    require(
        serviceAccount != null && validSegment(serviceAccount), "service account", serviceAccount);
  }

  /**
   * Parses {@code spiffe://td/ns/N/sa/S}.
   *
   * @throws IllegalArgumentException when the text is not such an identity
   */
  public static SpiffeId parse(String uri) {
    if (uri == null || !uri.startsWith(SCHEME)) {
      throw new IllegalArgumentException(
          "not a SPIFFE id (expected spiffe://<td>/ns/<ns>/sa/<sa>): " + uri);
    }
    String rest = uri.substring(SCHEME.length());
    String[] parts = rest.split("/", -1);
    if (parts.length != 5 || !parts[1].equals("ns") || !parts[3].equals("sa")) {
      throw new IllegalArgumentException(
          "not a SPIFFE id (expected spiffe://<td>/ns/<ns>/sa/<sa>): " + uri);
    }
    return new SpiffeId(parts[0], parts[2], parts[4]);
  }

  /** Like {@link #parse} but returns empty instead of throwing. */
  public static Optional<SpiffeId> tryParse(String uri) {
    try {
      return Optional.of(parse(uri));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * The identity named by a certificate: its URI subject alternative names must contain exactly one
   * {@code spiffe://} URI and that URI must be a valid identity; otherwise empty (fail closed).
   */
  public static Optional<SpiffeId> fromCertificate(X509Certificate certificate) {
    List<String> uris = spiffeUris(certificate);
    if (uris.size() != 1) {
      return Optional.empty();
    }
    return tryParse(uris.getFirst());
  }

  /** The {@code spiffe://} URIs among a certificate's subject alternative names. */
  static List<String> spiffeUris(X509Certificate certificate) {
    Collection<List<?>> names;
    try {
      names = certificate.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return List.of();
    }
    List<String> uris = new ArrayList<>();
    if (names != null) {
      for (List<?> name : names) {
        // 6 = uniformResourceIdentifier
        if (name.size() >= 2
            && Integer.valueOf(6).equals(name.get(0))
            && name.get(1) instanceof String s
            && s.startsWith(SCHEME)) {
          uris.add(s);
        }
      }
    }
    return uris;
  }

  /** The canonical URI form. */
  public String uri() {
    return SCHEME + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  @Override
  public String toString() {
    return uri();
  }

  private static boolean validSegment(String s) {
    return SEGMENT.matcher(s).matches() && !s.equals(".") && !s.equals("..");
  }

  private static void require(boolean ok, String what, String value) {
    if (!ok) {
      throw new IllegalArgumentException("invalid SPIFFE " + what + ": '" + value + "'");
    }
  }
}
