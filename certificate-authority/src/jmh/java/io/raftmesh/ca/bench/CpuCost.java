package io.raftmesh.ca.bench;

import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.issue.IssuancePolicy;
import io.raftmesh.ca.issue.IssuingCa;
import io.raftmesh.ca.issue.LeafRequest;
import io.raftmesh.ca.issue.RootCa;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.verify.ChainVerifier;
import io.raftmesh.ca.verify.ChainVerifier.PeerRole;
import io.raftmesh.ca.verify.TrustBundle;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * Operations per CPU-second of one thread: what "per core" means, measured with the thread's CPU
 * time so that other processes on a shared machine do not skew it (JMH's wall-clock throughput
 * does). Chain verification here is cold: every chain is distinct, so no certificate parse or
 * signature check is served from the JDK's caches.
 */
public final class CpuCost {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private CpuCost() {}

  interface Op {
    void run(int i);
  }

  static double perCpuSecond(String name, int warmup, int count, Op op) {
    for (int i = 0; i < warmup; i++) {
      op.run(i);
    }
    long cpu = THREADS.getCurrentThreadCpuTime();
    long wall = System.nanoTime();
    for (int i = 0; i < count; i++) {
      op.run(warmup + i);
    }
    double cpuSeconds = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9;
    double wallSeconds = (System.nanoTime() - wall) / 1e9;
    double rate = count / cpuSeconds;
    System.out.printf(
        "%-32s %9.0f ops per CPU-second   (%d ops, %.2f CPU-s, %.2f wall-s)%n",
        name, rate, count, cpuSeconds, wallSeconds);
    return rate;
  }

  public static void main(String[] args) {
    int count = args.length > 0 ? Integer.parseInt(args[0]) : 3000;
    SecureRandom random = new SecureRandom();
    Clock clock = Clock.systemUTC();
    TrustDomain td = TrustDomain.parse("bench.example.org");
    RootCa root = RootCa.generate(td, KeyAlgorithm.EC_P256, RootCa.DEFAULT_VALIDITY, clock, random);
    KeyPair issuerKeys = KeyAlgorithm.EC_P256.generateKeyPair(random);
    IssuingCa issuer =
        IssuingCa.of(
            List.of(
                root.signIssuer(issuerKeys.getPublic(), RootCa.DEFAULT_ISSUER_VALIDITY),
                root.certificate()),
            issuerKeys.getPrivate(),
            IssuancePolicy.DEFAULT,
            clock,
            random);
    SpiffeId id = td.id("ns", "shop", "sa", "cart");
    String csrPem = Csr.create(KeyAlgorithm.EC_P256.generateKeyPair(random)).toPem();
    int warmup = count;
    System.out.println(
        "== CPU cost, one thread, P-256 ("
            + count
            + " measured ops after "
            + warmup
            + " warm-up ops)");
    perCpuSecond("csr verification", warmup, count, i -> Csr.parsePem(csrPem));
    KeyPair leafKeys = KeyAlgorithm.EC_P256.generateKeyPair(random);
    perCpuSecond(
        "signing only (no CSR)",
        warmup,
        count,
        i -> issuer.issue(LeafRequest.forPublicKey(id, leafKeys.getPublic()).build()));
    List<String> chains = new ArrayList<>(warmup + count);
    perCpuSecond(
        "issuance from PEM CSR",
        warmup,
        count,
        i ->
            chains.add(
                issuer.issue(LeafRequest.forCsr(id, Csr.parsePem(csrPem)).build()).chainPem()));
    ChainVerifier verifier =
        ChainVerifier.of(TrustBundle.of(td, List.of(root.certificate())), clock);
    // Each chain has a distinct leaf; the issuer certificate is shared, as in real handshakes.
    perCpuSecond(
        "chain verification (cold leaf)",
        Math.min(warmup, chains.size() / 2),
        Math.min(count, chains.size() / 2),
        i -> verifier.verify(Pem.decodeCertificates(chains.get(i)), PeerRole.CLIENT));
  }
}
