package io.raftmesh.server.tls;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.raftmesh.ca.Fingerprint;
import io.raftmesh.ca.identity.InvalidSpiffeIdException;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.tls.MeshTrustManager;
import io.raftmesh.ca.tls.RotatingKeyManager;
import io.raftmesh.ca.verify.TrustBundle;
import java.time.Clock;

/**
 * gRPC channels to control servers over mutual TLS: the client presents its mesh certificate and
 * accepts only servers whose certificate carries a {@code control/<id>} identity of the trust
 * domain. For the CLI, agents' tests and the server's own tests.
 *
 * <pre>{@code
 * ManagedChannel ch = MeshChannels.open("127.0.0.1:7443", TlsDir.read(Path.of("admin")));
 * ConfigServiceGrpc.newBlockingStub(ch).apply(...);
 * }</pre>
 */
public final class MeshChannels {
  private MeshChannels() {}

  /** A channel to {@code target} ({@code host:port}) presenting the identity in {@code tls}. */
  public static ManagedChannel open(String target, TlsDir tls) {
    return open(target, tls, Clock.systemUTC());
  }

  /** As {@link #open(String, TlsDir)}, checking certificates at {@code clock}'s time. */
  public static ManagedChannel open(String target, TlsDir tls, Clock clock) {
    ChannelCredentials creds =
        TlsChannelCredentials.newBuilder()
            .keyManager(RotatingKeyManager.of(tls.key(), tls.chain()))
            .trustManager(MeshTrustManager.of(tls.trustBundle(), MeshChannels::isServer, clock))
            .build();
    return Grpc.newChannelBuilder(target, creds).build();
  }

  /**
   * A channel without a client certificate (only enrollment accepts it), trusting {@code bundle}.
   */
  public static ManagedChannel anonymous(String target, TrustBundle bundle, Clock clock) {
    ChannelCredentials creds =
        TlsChannelCredentials.newBuilder()
            .trustManager(MeshTrustManager.of(bundle, MeshChannels::isServer, clock))
            .build();
    return Grpc.newChannelBuilder(target, creds).build();
  }

  /**
   * A channel without a client certificate that accepts a server only if it presents a root with
   * fingerprint {@code root} (from a join token): how an agent enrolls before it has a bundle.
   */
  public static ManagedChannel pinned(String target, Fingerprint root, Clock clock) {
    ChannelCredentials creds =
        TlsChannelCredentials.newBuilder()
            .trustManager(MeshTrustManager.pinned(root, MeshChannels::isServer, clock))
            .build();
    return Grpc.newChannelBuilder(target, creds).build();
  }

  /** Whether {@code id} is a control server's identity. */
  public static boolean isServer(SpiffeId id) {
    try {
      return MeshIdentity.of(id) instanceof MeshIdentity.ControlServer;
    } catch (InvalidSpiffeIdException e) {
      return false;
    }
  }
}
