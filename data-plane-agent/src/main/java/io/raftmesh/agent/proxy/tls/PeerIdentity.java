package io.raftmesh.agent.proxy.tls;

import io.raftmesh.agent.proxy.config.ServiceName;
import java.security.cert.Certificate;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.jspecify.annotations.Nullable;

/** Reads SPIFFE identities from peer certificates and maps workload IDs to services. */
public final class PeerIdentity {
  private static final int URI_SAN = 6;

  private PeerIdentity() {}

  /**
   * The SPIFFE ID (the single {@code spiffe://} URI SAN) of the peer's leaf certificate, or null
   * when the peer sent none or several.
   */
  public static @Nullable String spiffeId(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      if (chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
        return null;
      }
      return spiffeId((X509Certificate) chain[0]);
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }

  /** The single {@code spiffe://} URI SAN of {@code cert}, or null. */
  public static @Nullable String spiffeId(X509Certificate cert) {
    Collection<List<?>> sans;
    try {
      sans = cert.getSubjectAlternativeNames();
    } catch (CertificateParsingException e) {
      return null;
    }
    if (sans == null) {
      return null;
    }
    String found = null;
    for (List<?> san : sans) {
      if (san.size() >= 2
          && san.get(0) instanceof Integer
          && (Integer) san.get(0) == URI_SAN
          && san.get(1) instanceof String
          && ((String) san.get(1)).startsWith("spiffe://")) {
        if (found != null) {
          return null; // SPIFFE allows exactly one ID per SVID.
        }
        found = (String) san.get(1);
      }
    }
    return found;
  }

  /**
   * The service of a workload ID {@code spiffe://<trustDomain>/ns/<ns>/sa/<name>}, or null when
   * {@code spiffeId} is not one in {@code trustDomain}.
   */
  public static @Nullable ServiceName service(@Nullable String spiffeId, String trustDomain) {
    if (spiffeId == null) {
      return null;
    }
    String prefix = "spiffe://" + trustDomain + "/ns/";
    if (!spiffeId.startsWith(prefix)) {
      return null;
    }
    String rest = spiffeId.substring(prefix.length());
    int slash = rest.indexOf('/');
    if (slash <= 0 || !rest.startsWith("/sa/", slash)) {
      return null;
    }
    String ns = rest.substring(0, slash);
    String name = rest.substring(slash + 4);
    if (name.isEmpty() || name.indexOf('/') >= 0) {
      return null;
    }
    return new ServiceName(ns, name);
  }
}
