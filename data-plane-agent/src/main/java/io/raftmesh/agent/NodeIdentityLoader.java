package io.raftmesh.agent;

import io.raftmesh.agent.config.AgentConfig;
import io.raftmesh.agent.identity.Enroller;
import io.raftmesh.agent.identity.IdentityFiles;
import io.raftmesh.agent.identity.StoredCertificate;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.verify.TrustBundle;
import java.time.Clock;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the node's identity: the stored one when it is usable, else a new one from the join token.
 * A stored identity always wins over a token (later starts never need it again), except when it has
 * expired: then only a token can bring the node back.
 */
final class NodeIdentityLoader {
  private static final Logger log = LoggerFactory.getLogger(NodeIdentityLoader.class);

  record Loaded(StoredCertificate certificate, TrustBundle bundle, boolean enrolled) {}

  private NodeIdentityLoader() {}

  static Loaded load(
      AgentConfig config,
      IdentityFiles files,
      @Nullable String joinToken,
      Enroller enroller,
      String version,
      Clock clock)
      throws InterruptedException {
    Optional<StoredCertificate> stored;
    try {
      stored = files.load(IdentityFiles.NODE);
    } catch (IllegalStateException e) {
      throw new AgentStartException(
          AgentStartException.Reason.IDENTITY, String.valueOf(e.getMessage()), e);
    }
    if (stored.isPresent()) {
      StoredCertificate cert = stored.get();
      SpiffeId id = cert.spiffeId();
      SpiffeId expected = new MeshIdentity.Node(id.trustDomain(), config.nodeName()).spiffeId();
      if (!id.equals(expected)) {
        throw new AgentStartException(
            AgentStartException.Reason.IDENTITY,
            "data dir "
                + config.dataDir()
                + " holds the identity "
                + id
                + " (expected: "
                + expected
                + "; use another --data-dir or the node name it was enrolled with)");
      }
      boolean expired = cert.expiredAt(clock.instant());
      if (!expired) {
        TrustBundle bundle =
            files
                .loadBundle(id.trustDomain())
                .orElseThrow(
                    () ->
                        new AgentStartException(
                            AgentStartException.Reason.IDENTITY,
                            files.dir() + "/bundle.pem: missing (expected: the trust bundle)"));
        if (joinToken != null) {
          log.info("already enrolled spiffe_id={}: the join token is not used", id);
        }
        return new Loaded(cert, bundle, false);
      }
      if (joinToken == null) {
        throw new AgentStartException(
            AgentStartException.Reason.IDENTITY,
            "node certificate "
                + cert.serial()
                + " expired at "
                + cert.notAfter()
                + " (expected: a valid certificate; start once with --join TOKEN to enroll again)");
      }
      log.warn(
          "node certificate expired at {}: enrolling again with the join token", cert.notAfter());
    } else if (joinToken == null) {
      throw new AgentStartException(
          AgentStartException.Reason.NOT_ENROLLED,
          "no node identity in "
              + files.dir()
              + " (expected: the first start gives --join TOKEN, from `raftmesh token create`)");
    }
    Enroller.Enrolled enrolled =
        enroller.enroll(
            new Enroller.Request(
                joinToken,
                config.nodeName(),
                config.advertiseAddress(),
                version,
                config.servers(),
                config.joinTimeout()));
    return new Loaded(enrolled.certificate(), enrolled.bundle(), true);
  }
}
