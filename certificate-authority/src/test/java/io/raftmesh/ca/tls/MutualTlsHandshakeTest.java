package io.raftmesh.ca.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.raftmesh.ca.TestPki;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.verify.ChainVerificationException;
import io.raftmesh.ca.verify.ChainVerifier.PeerRole;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class MutualTlsHandshakeTest {
  static final TestPki PKI = TestPki.create("tls.test");
  static final TestPki FOREIGN = TestPki.create("tls.test");
  static final Predicate<SpiffeId> ANYONE = id -> true;

  static SSLContext context(TestPki trust, TestPki.Leaf leaf, Predicate<SpiffeId> authorized)
      throws Exception {
    return InMemoryTls.context(
        RotatingKeyManager.of(leaf.keys().getPrivate(), leaf.chain()),
        MeshTrustManager.of(trust.bundle(), authorized, trust.clock));
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void handshakeSucceedsBetweenTwoLeavesOfOneHierarchy(String protocol) throws Exception {
    TestPki.Leaf server = PKI.leaf("control", "s1");
    TestPki.Leaf client = PKI.leaf("node", "n1");
    InMemoryTls.Result result =
        InMemoryTls.handshake(
            context(PKI, client, ANYONE), context(PKI, server, ANYONE), protocol, true);
    assertThat(result.succeeded()).as("%s", result).isTrue();
    assertThat(result.clientSession().getProtocol()).isEqualTo(protocol);
    assertThat(MeshTrustManager.peerSpiffeId(result.serverSession()))
        .hasToString("spiffe://tls.test/node/n1");
    assertThat(MeshTrustManager.peerSpiffeId(result.clientSession()))
        .hasToString("spiffe://tls.test/control/s1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void serverRejectsClientLeafFromAnotherRoot(String protocol) throws Exception {
    TestPki.Leaf server = PKI.leaf("control", "s1");
    TestPki.Leaf intruder = FOREIGN.leaf("node", "n1");
    InMemoryTls.Result result =
        InMemoryTls.handshake(
            context(PKI, intruder, ANYONE), context(PKI, server, ANYONE), protocol, true);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.serverReceived()).isEmpty();
    assertThat(result.serverError())
        .isNotNull()
        .hasStackTraceContaining("expected: a chain ending at a root of the trust bundle");
  }

  @ParameterizedTest
  @ValueSource(strings = {"TLSv1.3", "TLSv1.2"})
  void clientRejectsServerLeafFromAnotherRoot(String protocol) throws Exception {
    TestPki.Leaf impostor = FOREIGN.leaf("control", "s1");
    TestPki.Leaf client = PKI.leaf("node", "n1");
    InMemoryTls.Result result =
        InMemoryTls.handshake(
            context(PKI, client, ANYONE), context(FOREIGN, impostor, ANYONE), protocol, true);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.clientReceived()).isEmpty();
    assertThat(result.clientError())
        .isNotNull()
        .hasStackTraceContaining("expected: a chain ending at a root of the trust bundle");
  }

  @Test
  void serverRejectsAuthenticPeerItsPredicateDoesNotAuthorize() throws Exception {
    TestPki.Leaf server = PKI.leaf("control", "s1");
    TestPki.Leaf admin = PKI.leaf("admin", "mallory");
    Predicate<SpiffeId> nodesOnly = id -> id.segments().get(0).equals("node");
    InMemoryTls.Result result =
        InMemoryTls.handshake(
            context(PKI, admin, ANYONE), context(PKI, server, nodesOnly), "TLSv1.3", true);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.serverError())
        .hasStackTraceContaining("peer \"spiffe://tls.test/admin/mallory\": not authorized");
  }

  @Test
  void serverWithoutCertificateFailsAndClientWithoutOneIsRefusedWhenRequired() throws Exception {
    TestPki.Leaf server = PKI.leaf("control", "s1");
    SSLContext anonymousClient =
        InMemoryTls.context(null, MeshTrustManager.of(PKI.bundle(), ANYONE, PKI.clock));
    InMemoryTls.Result result =
        InMemoryTls.handshake(anonymousClient, context(PKI, server, ANYONE), "TLSv1.3", true);
    assertThat(result.succeeded()).isFalse();
    assertThat(result.serverError()).isNotNull();
    SSLContext emptyServer =
        InMemoryTls.context(
            RotatingKeyManager.empty(), MeshTrustManager.of(PKI.bundle(), ANYONE, PKI.clock));
    InMemoryTls.Result noCert =
        InMemoryTls.handshake(
            context(PKI, PKI.leaf("node", "n"), ANYONE), emptyServer, "TLSv1.3", true);
    assertThat(noCert.succeeded()).isFalse();
  }

  @Test
  void rotatedCertificateIsPresentedOnTheNextHandshake() throws Exception {
    TestPki.Leaf first = PKI.leaf("control", "s1");
    TestPki.Leaf second = PKI.leaf("control", "s1");
    RotatingKeyManager keys = RotatingKeyManager.of(first.keys().getPrivate(), first.chain());
    SSLContext serverContext =
        InMemoryTls.context(keys, MeshTrustManager.of(PKI.bundle(), ANYONE, PKI.clock));
    SSLContext clientContext = context(PKI, PKI.leaf("node", "n1"), ANYONE);
    InMemoryTls.Result before =
        InMemoryTls.handshake(clientContext, serverContext, "TLSv1.3", true);
    assertThat(
            ((X509Certificate) before.clientSession().getPeerCertificates()[0]).getSerialNumber())
        .isEqualTo(first.issued().serial().value());
    keys.update(second.keys().getPrivate(), second.chain());
    // A new client (a reused client context would resume its TLS session and see the old chain).
    SSLContext newClient = context(PKI, PKI.leaf("node", "n2"), ANYONE);
    InMemoryTls.Result after = InMemoryTls.handshake(newClient, serverContext, "TLSv1.3", true);
    assertThat(after.succeeded()).isTrue();
    assertThat(((X509Certificate) after.clientSession().getPeerCertificates()[0]).getSerialNumber())
        .isEqualTo(second.issued().serial().value());
    assertThat(keys.currentCertificate()).contains(second.issued().certificate());
  }

  @Test
  void aliasChosenBeforeRotationStillYieldsAMatchingKeyAndChain() {
    TestPki.Leaf first = PKI.leaf("control", "s1");
    TestPki.Leaf second = PKI.leaf("control", "s1");
    TestPki.Leaf third = PKI.leaf("control", "s1");
    RotatingKeyManager keys = RotatingKeyManager.of(first.keys().getPrivate(), first.chain());
    String alias = keys.chooseEngineServerAlias("EC", null, null);
    assertThat(alias).isNotNull();
    keys.update(second.keys().getPrivate(), second.chain());
    // The handshake that picked `alias` gets the first pair, consistently.
    PrivateKey key = keys.getPrivateKey(alias);
    X509Certificate[] chain = java.util.Objects.requireNonNull(keys.getCertificateChain(alias));
    assertThat(key).isEqualTo(first.keys().getPrivate());
    assertThat(chain[0]).isEqualTo(first.issued().certificate());
    assertThat(keys.chooseEngineServerAlias("EC", null, null)).isNotEqualTo(alias);
    keys.update(third.keys().getPrivate(), third.chain());
    assertThat(keys.getPrivateKey(alias)).isNull();
    assertThat(keys.chooseEngineServerAlias("RSA", null, null)).isNull();
    assertThat(keys.chooseEngineClientAlias(new String[] {"RSA", "EC"}, null, null))
        .isEqualTo("raftmesh-3");
  }

  @Test
  void keyManagerRefusesAKeyThatDoesNotMatchTheLeaf() {
    TestPki.Leaf a = PKI.leaf("node", "a");
    TestPki.Leaf b = PKI.leaf("node", "b");
    assertThatThrownBy(() -> RotatingKeyManager.of(a.keys().getPrivate(), b.chain()))
        .hasMessageContaining("does not match the leaf");
  }

  @Test
  void replacingTheTrustBundleAdmitsANewRoot() throws Exception {
    TestPki.Leaf server = FOREIGN.leaf("control", "s1");
    MeshTrustManager clientTrust = MeshTrustManager.of(PKI.bundle(), ANYONE, PKI.clock);
    TestPki.Leaf clientLeaf = PKI.leaf("node", "n1");
    SSLContext clientContext =
        InMemoryTls.context(
            RotatingKeyManager.of(clientLeaf.keys().getPrivate(), clientLeaf.chain()), clientTrust);
    SSLContext serverContext =
        InMemoryTls.context(
            RotatingKeyManager.of(server.keys().getPrivate(), server.chain()),
            MeshTrustManager.of(FOREIGN.bundle().with(PKI.root.certificate()), ANYONE, PKI.clock));
    assertThat(InMemoryTls.handshake(clientContext, serverContext, "TLSv1.3", true).succeeded())
        .isFalse();
    clientTrust.setTrustBundle(PKI.bundle().with(FOREIGN.root.certificate()));
    assertThat(InMemoryTls.handshake(clientContext, serverContext, "TLSv1.3", true).succeeded())
        .isTrue();
    assertThat(clientTrust.getAcceptedIssuers()).hasSize(2);
  }

  @Test
  void enrollingAgentTrustsOnlyAServerChainEndingAtThePinnedRoot() throws Exception {
    TestPki.Leaf server = PKI.leaf("control", "s1");
    List<X509Certificate> withRoot = new ArrayList<>(server.chain());
    withRoot.add(PKI.root.certificate());
    SSLContext serverContext =
        InMemoryTls.context(
            RotatingKeyManager.of(server.keys().getPrivate(), withRoot),
            MeshTrustManager.of(PKI.bundle(), ANYONE, PKI.clock));
    Predicate<SpiffeId> controlOnly = id -> id.segments().get(0).equals("control");
    MeshTrustManager pinned =
        MeshTrustManager.pinned(PKI.root.fingerprint(), controlOnly, PKI.clock);
    assertThat(pinned.getAcceptedIssuers()).isEmpty();
    InMemoryTls.Result ok =
        InMemoryTls.handshake(InMemoryTls.context(null, pinned), serverContext, "TLSv1.3", false);
    assertThat(ok.succeeded()).as("%s", ok).isTrue();
    MeshTrustManager wrongPin =
        MeshTrustManager.pinned(FOREIGN.root.fingerprint(), controlOnly, PKI.clock);
    InMemoryTls.Result refused =
        InMemoryTls.handshake(InMemoryTls.context(null, wrongPin), serverContext, "TLSv1.3", false);
    assertThat(refused.succeeded()).isFalse();
    assertThat(refused.clientError())
        .hasStackTraceContaining("no certificate with fingerprint " + FOREIGN.root.fingerprint());
  }

  @Test
  void verifyOutsideAHandshakeAppliesTheSameRules() {
    MeshTrustManager trust = MeshTrustManager.of(PKI.bundle(), id -> false, PKI.clock);
    assertThatThrownBy(() -> trust.verify(PKI.leaf("node", "n").chain(), PeerRole.CLIENT))
        .isInstanceOfSatisfying(
            ChainVerificationException.class,
            e ->
                assertThat(e.failure())
                    .isEqualTo(ChainVerificationException.Failure.PEER_NOT_AUTHORIZED));
  }
}
