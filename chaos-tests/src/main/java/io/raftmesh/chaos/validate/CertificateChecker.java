package io.raftmesh.chaos.validate;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Checks issued certificates independently of the CA's code, with the JDK's PKIX validator: each
 * chain verifies to the root ({@code bad-chain}), the leaf carries exactly the expected SPIFFE ID
 * as its one URI SAN ({@code wrong-identity}), and the serial the API reported is the leaf's
 * ({@code serial-mismatch}).
 */
public final class CertificateChecker {
  private static final int URI_SAN = 6;

  private CertificateChecker() {}

  /**
   * One certificate an acknowledged operation returned.
   *
   * @param expectedSpiffeId the identity it must carry
   * @param chainPem the chain as returned, leaf first
   * @param reportedSerial the serial the API reported (lower-case hex)
   * @param source the operation, for reports
   */
  public record Issued(
      String expectedSpiffeId, String chainPem, String reportedSerial, String source) {
    /** Rejects nulls. */
    public Issued {
      requireNonNull(expectedSpiffeId, "expectedSpiffeId");
      requireNonNull(chainPem, "chainPem");
      requireNonNull(reportedSerial, "reportedSerial");
      requireNonNull(source, "source");
    }
  }

  /** Checks every issued certificate against {@code rootPem}, at {@code now}. */
  public static CheckResult check(List<Issued> issued, String rootPem, Date now) {
    CheckResult.Builder result = new CheckResult.Builder("certificates");
    X509Certificate root;
    try {
      root = parse(rootPem).get(0);
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(
          "rootPem: " + e.getMessage() + " (expected: a PEM certificate)", e);
    }
    long ok = 0;
    for (Issued i : issued) {
      List<X509Certificate> chain;
      try {
        chain = parse(i.chainPem());
        verify(chain, root, now);
      } catch (GeneralSecurityException | RuntimeException e) {
        result.violation(
            Anomaly.of("bad-chain", i.source() + ": chain does not verify to the root: " + e));
        continue;
      }
      X509Certificate leaf = chain.get(0);
      List<String> uris = uris(leaf);
      if (!uris.equals(List.of(i.expectedSpiffeId()))) {
        result.violation(
            Anomaly.of(
                "wrong-identity",
                i.source() + ": URI SANs " + uris + " (expected: [" + i.expectedSpiffeId() + "])"));
        continue;
      }
      String serial = leaf.getSerialNumber().toString(16).toLowerCase(Locale.ROOT);
      if (!new BigInteger(i.reportedSerial(), 16).equals(leaf.getSerialNumber())) {
        result.violation(
            Anomaly.of(
                "serial-mismatch",
                i.source() + ": reported serial " + i.reportedSerial() + ", leaf has " + serial));
        continue;
      }
      ok++;
    }
    return result.count("certificates", issued.size()).count("ok", ok).build();
  }

  /** The certificates of a PEM text, in order. */
  public static List<X509Certificate> parse(String pem) throws GeneralSecurityException {
    Collection<? extends java.security.cert.Certificate> all =
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    List<X509Certificate> out = new ArrayList<>();
    for (var c : all) {
      out.add((X509Certificate) c);
    }
    if (out.isEmpty()) {
      throw new GeneralSecurityException("no certificate in the PEM text");
    }
    return out;
  }

  private static void verify(List<X509Certificate> chain, X509Certificate root, Date now)
      throws GeneralSecurityException {
    List<X509Certificate> path = new ArrayList<>(chain);
    path.removeIf(c -> c.equals(root));
    PKIXParameters params = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    params.setRevocationEnabled(false);
    params.setDate(now);
    CertPathValidator.getInstance("PKIX")
        .validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
  }

  private static List<String> uris(X509Certificate leaf) {
    List<String> out = new ArrayList<>();
    try {
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          if (san.size() == 2 && Integer.valueOf(URI_SAN).equals(san.get(0))) {
            out.add(String.valueOf(san.get(1)));
          }
        }
      }
    } catch (java.security.cert.CertificateParsingException e) {
      out.add("(unparseable SANs: " + e.getMessage() + ")");
    }
    return out;
  }
}
