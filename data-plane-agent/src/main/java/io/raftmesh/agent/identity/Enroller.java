package io.raftmesh.agent.identity;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.Backoff;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.agent.control.RecordingTrustManager;
import io.raftmesh.ca.CaException;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.identity.TrustDomain;
import io.raftmesh.ca.issue.Csr;
import io.raftmesh.ca.keys.KeyAlgorithm;
import io.raftmesh.ca.pem.Pem;
import io.raftmesh.ca.tls.MeshTrustManager;
import io.raftmesh.ca.tls.RotatingKeyManager;
import io.raftmesh.ca.token.JoinToken;
import io.raftmesh.ca.verify.ChainVerifier;
import io.raftmesh.ca.verify.TrustBundle;
import io.raftmesh.proto.v1.EnrollRequest;
import io.raftmesh.proto.v1.EnrollResponse;
import io.raftmesh.proto.v1.EnrollmentServiceGrpc;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * First start: trades a join token and a CSR for a node certificate. Dials the servers over TLS
 * without a client certificate and accepts a server only if its chain ends at a root with the
 * token's fingerprint (pinned mode) and it is a control server. The private key is made here and
 * never leaves the node. The key and request id are stored before the request is sent, so an agent
 * that crashes after the server used the token retries with the same request id and gets the same
 * certificate.
 */
public final class Enroller {
  private static final Logger log = LoggerFactory.getLogger(Enroller.class);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(15);

  /**
   * What to enroll.
   *
   * @param token the join token as given
   * @param nodeName the node's name
   * @param address the address other nodes use to reach this node
   * @param agentVersion this build's version
   * @param servers the servers to try
   * @param timeout how long to keep trying servers that do not answer
   */
  public record Request(
      String token,
      String nodeName,
      String address,
      String agentVersion,
      List<HostPort> servers,
      Duration timeout) {
    /** Requires every part. */
    public Request {
      requireNonNull(token, "token");
      requireNonNull(nodeName, "nodeName");
      requireNonNull(address, "address");
      requireNonNull(agentVersion, "agentVersion");
      servers = List.copyOf(servers);
      requireNonNull(timeout, "timeout");
    }

    @Override
    public String toString() {
      return "Request{node=" + nodeName + ", servers=" + servers + ", token=...}";
    }
  }

  /**
   * The result.
   *
   * @param certificate the node key and chain
   * @param bundle the roots to trust from now on
   */
  public record Enrolled(StoredCertificate certificate, TrustBundle bundle) {}

  private final ChannelFactory channels;
  private final IdentityFiles files;
  private final Backoff backoff;
  private final Clock clock;
  private final SecureRandom secureRandom;
  private final RandomGenerator random;

  /** An enroller storing into {@code files}. */
  public Enroller(
      ChannelFactory channels,
      IdentityFiles files,
      Backoff backoff,
      Clock clock,
      SecureRandom secureRandom,
      RandomGenerator random) {
    this.channels = requireNonNull(channels, "channels");
    this.files = requireNonNull(files, "files");
    this.backoff = requireNonNull(backoff, "backoff");
    this.clock = requireNonNull(clock, "clock");
    this.secureRandom = requireNonNull(secureRandom, "secureRandom");
    this.random = requireNonNull(random, "random");
  }

  /**
   * Enrolls and stores the identity (key 0600, chain, bundle).
   *
   * @throws io.raftmesh.ca.token.InvalidJoinTokenException when the token is malformed
   * @throws EnrollmentException when no server accepted it; {@link EnrollmentException#kind()} says
   *     why
   * @throws InterruptedException when interrupted while waiting to retry
   */
  public Enrolled enroll(Request request) throws InterruptedException {
    JoinToken token = JoinToken.parse(request.token());
    Fingerprint root = token.rootFingerprint();
    PendingEnrollment pending =
        files
            .loadPending()
            .filter(p -> p.tokenId().equals(token.id()))
            .orElseGet(() -> newPending(token));
    EnrollRequest rpc =
        EnrollRequest.newBuilder()
            .setToken(request.token())
            .setNodeName(request.nodeName())
            .setCsrPem(pending.csrPem())
            .setAddress(request.address())
            .setAgentVersion(request.agentVersion())
            .setRequestId(pending.requestId())
            .build();
    Instant deadline = clock.instant().plus(request.timeout());
    List<String> failures = new ArrayList<>();
    for (int round = 0; ; round++) {
      List<HostPort> order = new ArrayList<>(request.servers());
      Collections.shuffle(order, new java.util.Random(random.nextLong()));
      int untrusted = 0;
      failures.clear();
      for (HostPort server : order) {
        RecordingTrustManager trust =
            new RecordingTrustManager(
                MeshTrustManager.pinned(root, Enroller::isControlServer, clock));
        ManagedChannel channel = channels.open(server, null, trust);
        try {
          EnrollResponse response =
              EnrollmentServiceGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                  .enroll(rpc);
          Enrolled enrolled = accept(response, pending, request.nodeName(), root, server);
          files.store(IdentityFiles.NODE, enrolled.certificate());
          files.storeBundle(enrolled.bundle());
          files.clearPending();
          log.info(
              "enrolled node={} spiffe_id={} serial={} not_after={} server={}",
              request.nodeName(),
              enrolled.certificate().spiffeId(),
              enrolled.certificate().serial(),
              enrolled.certificate().notAfter(),
              server);
          return enrolled;
        } catch (StatusRuntimeException e) {
          String rejection = trust.lastRejection();
          if (rejection != null) {
            untrusted++;
            failures.add(server + ": server certificate not trusted: " + rejection);
            continue;
          }
          Status.Code code = e.getStatus().getCode();
          String why = server + ": " + code + describe(e.getStatus());
          switch (code) {
            case UNAUTHENTICATED -> {
              files.clearPending();
              throw new EnrollmentException(
                  EnrollmentException.Kind.TOKEN_REFUSED,
                  "join token refused (unknown, used up, revoked or expired): " + why);
            }
            case INVALID_ARGUMENT, ALREADY_EXISTS, PERMISSION_DENIED, FAILED_PRECONDITION ->
                throw new EnrollmentException(
                    EnrollmentException.Kind.REFUSED, "enrollment refused: " + why);
            default -> failures.add(why);
          }
        } finally {
          channel.shutdownNow();
        }
      }
      if (untrusted > 0 && untrusted == failures.size()) {
        throw new EnrollmentException(
            EnrollmentException.Kind.UNTRUSTED_SERVER,
            "no server presented a chain ending at root "
                + root
                + " (the token's fingerprint): "
                + String.join("; ", failures));
      }
      Duration delay = backoff.delay(round);
      if (clock.instant().plus(delay).isAfter(deadline)) {
        throw new EnrollmentException(
            EnrollmentException.Kind.UNREACHABLE,
            "no control server answered within "
                + request.timeout().toSeconds()
                + "s: "
                + String.join("; ", failures));
      }
      log.warn(
          "enrollment: no server answered, retrying in {}ms: {}",
          delay.toMillis(),
          String.join("; ", failures));
      TimeUnit.NANOSECONDS.sleep(delay.toNanos());
    }
  }

  private PendingEnrollment newPending(JoinToken token) {
    KeyPair keys = KeyAlgorithm.EC_P256.generateKeyPair(secureRandom);
    PendingEnrollment pending =
        new PendingEnrollment(
            token.id(), UUID.randomUUID().toString(), Csr.create(keys).toPem(), keys.getPrivate());
    files.storePending(pending);
    return pending;
  }

  private Enrolled accept(
      EnrollResponse response,
      PendingEnrollment pending,
      String nodeName,
      Fingerprint root,
      HostPort server) {
    try {
      List<X509Certificate> chain = Pem.decodeCertificates(response.getCertificateChainPem());
      TrustDomain td = TrustDomain.parse(response.getTrustDomain());
      TrustBundle bundle = TrustBundle.fromPem(td, response.getTrustBundlePem());
      if (!bundle.contains(root)) {
        throw new EnrollmentException(
            EnrollmentException.Kind.BAD_RESPONSE,
            server + ": trust bundle " + bundle.fingerprints() + " lacks the token's root " + root);
      }
      SpiffeId expected = new MeshIdentity.Node(td, nodeName).spiffeId();
      ChainVerifier.of(bundle, clock).verify(chain, ChainVerifier.PeerRole.CLIENT);
      SpiffeId got = SpiffeId.fromCertificate(chain.get(0));
      if (!got.equals(expected)) {
        throw new EnrollmentException(
            EnrollmentException.Kind.BAD_RESPONSE,
            server + ": certificate for " + got + " (expected: " + expected + ")");
      }
      // Throws when the leaf is not for our key.
      RotatingKeyManager.of(pending.key(), chain);
      return new Enrolled(new StoredCertificate(pending.key(), chain, clock.instant()), bundle);
    } catch (CaException | IllegalArgumentException e) {
      throw new EnrollmentException(
          EnrollmentException.Kind.BAD_RESPONSE,
          server + ": unacceptable enrollment response: " + e.getMessage());
    }
  }

  static boolean isControlServer(SpiffeId id) {
    try {
      return MeshIdentity.of(id) instanceof MeshIdentity.ControlServer;
    } catch (InvalidSpiffeIdException e) {
      return false;
    }
  }

  private static String describe(Status status) {
    String d = status.getDescription();
    return d == null ? "" : " " + d;
  }
}
