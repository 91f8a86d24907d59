package io.raftmesh.ca.issue;

import static java.util.Objects.requireNonNull;

import io.raftmesh.ca.CaException;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.issue.RejectedRequestException.Reason;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.keys.UnsupportedKeyException;
import java.security.PublicKey;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.util.IPAddress;
import org.jspecify.annotations.Nullable;

/**
 * What to put in a leaf certificate: the one SPIFFE ID the caller has authorized, the subject's
 * checked public key, and optionally a lifetime, a serial, and DNS names and IP addresses (server
 * certificates, so that standard TLS clients can verify them too). Everything else is fixed by the
 * CA: EKU serverAuth + clientAuth, no CA bit, key usage digitalSignature.
 */
public final class LeafRequest {
  /** At most this many DNS names and, separately, IP addresses. */
  public static final int MAX_NAMES = 100;

  private final SpiffeId spiffeId;
  private final PublicKey publicKey;
  private final KeyAlgorithm keyAlgorithm;
  private final @Nullable Duration lifetime;
  private final @Nullable SerialNumber serial;
  private final List<String> dnsNames;
  private final List<String> ipAddresses;

  private LeafRequest(Builder b) {
    this.spiffeId = b.spiffeId;
    this.publicKey = b.publicKey;
    this.keyAlgorithm = b.keyAlgorithm;
    this.lifetime = b.lifetime;
    this.serial = b.serial;
    this.dnsNames = List.copyOf(b.dnsNames);
    this.ipAddresses = List.copyOf(b.ipAddresses);
  }

  /** A request for the key of a checked CSR; the CSR's subject and SANs are ignored. */
  public static Builder forCsr(SpiffeId spiffeId, Csr csr) {
    requireNonNull(csr, "csr");
    return new Builder(spiffeId, csr.publicKey(), csr.keyAlgorithm());
  }

  /**
   * A request for a public key the caller holds (e.g. the CLI, which makes the key pair itself).
   *
   * @throws RejectedRequestException when the key type or size is not accepted
   */
  public static Builder forPublicKey(SpiffeId spiffeId, PublicKey publicKey) {
    requireNonNull(publicKey, "publicKey");
    try {
      return new Builder(spiffeId, publicKey, KeyAlgorithm.of(publicKey));
    } catch (UnsupportedKeyException e) {
      throw new RejectedRequestException(Reason.KEY_NOT_ALLOWED, String.valueOf(e.getMessage()), e);
    }
  }

  /** The SPIFFE ID, the certificate's one URI SAN. */
  public SpiffeId spiffeId() {
    return spiffeId;
  }

  /** The subject's public key. */
  public PublicKey publicKey() {
    return publicKey;
  }

  /** The subject key's type. */
  public KeyAlgorithm keyAlgorithm() {
    return keyAlgorithm;
  }

  /** The requested lifetime; the policy's default when empty. */
  public Optional<Duration> lifetime() {
    return Optional.ofNullable(lifetime);
  }

  /** The serial to use; a random one when empty. */
  public Optional<SerialNumber> serial() {
    return Optional.ofNullable(serial);
  }

  /** DNS SANs, lower case, in order. */
  public List<String> dnsNames() {
    return dnsNames;
  }

  /** IP SANs, as literals, in order. */
  public List<String> ipAddresses() {
    return ipAddresses;
  }

  /** Builds a {@link LeafRequest}; each setter checks its value. */
  public static final class Builder {
    private final SpiffeId spiffeId;
    private final PublicKey publicKey;
    private final KeyAlgorithm keyAlgorithm;
    private @Nullable Duration lifetime;
    private @Nullable SerialNumber serial;
    private final Set<String> dnsNames = new LinkedHashSet<>();
    private final Set<String> ipAddresses = new LinkedHashSet<>();

    private Builder(SpiffeId spiffeId, PublicKey publicKey, KeyAlgorithm keyAlgorithm) {
      this.spiffeId = requireNonNull(spiffeId, "spiffeId");
      this.publicKey = publicKey;
      this.keyAlgorithm = keyAlgorithm;
    }

    /** The lifetime (bounded by the policy and the issuer). */
    public Builder lifetime(Duration lifetime) {
      requireNonNull(lifetime, "lifetime");
      if (lifetime.isNegative() || lifetime.isZero()) {
        throw new RejectedRequestException(
            Reason.LIFETIME_NOT_ALLOWED, "lifetime: " + lifetime + " (expected: > 0)");
      }
      this.lifetime = lifetime;
      return this;
    }

    /** The serial, e.g. one the caller reserved first; otherwise a random one is used. */
    public Builder serial(SerialNumber serial) {
      this.serial = requireNonNull(serial, "serial");
      return this;
    }

    /** Adds DNS SANs (RFC 1123 host names; no wildcards). */
    public Builder dnsNames(List<String> names) {
      requireNonNull(names, "names");
      for (String name : names) {
        dnsName(name);
      }
      return this;
    }

    /** Adds a DNS SAN (an RFC 1123 host name; no wildcards). */
    public Builder dnsName(String name) {
      requireNonNull(name, "name");
      String lower = name.toLowerCase(Locale.ROOT);
      if (!isHostName(lower)) {
        throw new RejectedRequestException(
            Reason.BAD_SUBJECT_ALT_NAME,
            "dns name: "
                + CaException.quote(name)
                + " (expected: a host name of dot-separated labels a-z 0-9 -, at most 253"
                + " characters, no wildcard)");
      }
      add(dnsNames, lower, "dns names");
      return this;
    }

    /** Adds IP SANs (IPv4 or IPv6 literals). */
    public Builder ipAddresses(List<String> addresses) {
      requireNonNull(addresses, "addresses");
      for (String address : addresses) {
        ipAddress(address);
      }
      return this;
    }

    /** Adds an IP SAN (an IPv4 or IPv6 literal; no host names, no scope ids). */
    public Builder ipAddress(String address) {
      requireNonNull(address, "address");
      if (!IPAddress.isValidIPv4(address) && !IPAddress.isValidIPv6(address)) {
        throw new RejectedRequestException(
            Reason.BAD_SUBJECT_ALT_NAME,
            "ip address: " + CaException.quote(address) + " (expected: an IPv4 or IPv6 literal)");
      }
      add(ipAddresses, address, "ip addresses");
      return this;
    }

    /** The request. */
    public LeafRequest build() {
      return new LeafRequest(this);
    }

    private static void add(Set<String> set, String value, String what) {
      set.add(value);
      if (set.size() > MAX_NAMES) {
        throw new RejectedRequestException(
            Reason.BAD_SUBJECT_ALT_NAME,
            what + ": more than " + MAX_NAMES + " (expected: at most " + MAX_NAMES + ")");
      }
    }
  }

  static boolean isHostName(String name) {
    if (name.isEmpty() || name.length() > 253) {
      return false;
    }
    for (String label : name.split("\\.", -1)) {
      if (label.isEmpty() || label.length() > 63 || label.startsWith("-") || label.endsWith("-")) {
        return false;
      }
      for (int i = 0; i < label.length(); i++) {
        char c = label.charAt(i);
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
          return false;
        }
      }
    }
    return true;
  }
}
