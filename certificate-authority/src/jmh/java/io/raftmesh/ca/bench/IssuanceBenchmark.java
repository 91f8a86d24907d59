package io.raftmesh.ca.bench;

import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.issue.IssuancePolicy;
import io.raftmesh.ca.issue.IssuedCertificate;
import io.raftmesh.ca.issue.IssuingCa;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.issue.RootCa;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.ChainVerifier;
import io.raftmesh.ca.verify.ChainVerifier.PeerRole;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.ca.verify.VerifiedChain;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * What the control server does per certificate request: parse and check a PEM CSR (signature
 * included), then sign a leaf; and what a TLS peer does per handshake: verify a chain. Figures are
 * operations per second; see ops/bench/ca.sh.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class IssuanceBenchmark {
  /** The key type of the CSR (the issuer is P-256, as by default). */
  @Param({"EC_P256"})
  public String csrKey;

  private IssuingCa issuer;
  private String csrPem;
  private SpiffeId id;
  private ChainVerifier verifier;
  private String chainPem;

  @Setup
  public void setUp() {
    SecureRandom random = new SecureRandom();
    Clock clock = Clock.systemUTC();
    TrustDomain td = TrustDomain.parse("bench.example.org");
    RootCa root = RootCa.generate(td, KeyAlgorithm.EC_P256, RootCa.DEFAULT_VALIDITY, clock, random);
    KeyPair issuerKeys = KeyAlgorithm.EC_P256.generateKeyPair(random);
    issuer =
        IssuingCa.of(
            List.of(
                root.signIssuer(issuerKeys.getPublic(), RootCa.DEFAULT_ISSUER_VALIDITY),
                root.certificate()),
            issuerKeys.getPrivate(),
            IssuancePolicy.DEFAULT,
            clock,
            random);
    csrPem = Csr.create(KeyAlgorithm.valueOf(csrKey).generateKeyPair(random)).toPem();
    id = td.id("ns", "shop", "sa", "cart");
    verifier = ChainVerifier.of(TrustBundle.of(td, List.of(root.certificate())), clock);
    chainPem = issue().chainPem();
  }

  private IssuedCertificate issue() {
    return issuer.issue(LeafRequest.forCsr(id, Csr.parsePem(csrPem)).build());
  }

  /** Parse + check a PEM CSR (signature verification included). */
  @Benchmark
  @Threads(1)
  public Csr csrVerification() {
    return Csr.parsePem(csrPem);
  }

  /** Full issuance from a PEM CSR, one thread. */
  @Benchmark
  @Threads(1)
  public IssuedCertificate issuanceFromCsr1Thread() {
    return issue();
  }

  /** Full issuance from a PEM CSR, two threads. */
  @Benchmark
  @Threads(2)
  public IssuedCertificate issuanceFromCsr2Threads() {
    return issue();
  }

  /**
   * Verifying the chain of a peer seen before: decoded from PEM each time, but the JDK's
   * certificate factory caches parsed certificates and their verified signatures, so this is the
   * warm path of repeated handshakes with one peer. {@link CpuCost} measures the cold path.
   */
  @Benchmark
  @Threads(1)
  public VerifiedChain chainVerificationRepeatPeer() {
    return verifier.verify(Pem.decodeCertificates(chainPem), PeerRole.CLIENT);
  }
}
