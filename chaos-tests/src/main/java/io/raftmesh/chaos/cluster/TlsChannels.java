package io.raftmesh.chaos.cluster;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * gRPC channels to control servers over TLS, built from PEM text with gRPC's own TLS support (none
 * of the server's code). The server certificates {@code raftmesh ca init} writes for the harness
 * name {@code localhost}, which is what the channels verify, whatever address they dial (a relay, a
 * bridge or the node itself).
 */
final class TlsChannels {
  /** The name every server certificate of a harness cluster carries. */
  static final String AUTHORITY = "localhost";

  private TlsChannels() {}

  /** A channel to {@code target} trusting {@code rootPem}, presenting {@code identity} if any. */
  static ManagedChannel open(
      InetSocketAddress target, String rootPem, @Nullable MeshIdentity identity) {
    try {
      TlsChannelCredentials.Builder b =
          TlsChannelCredentials.newBuilder().trustManager(stream(rootPem));
      if (identity != null) {
        b.keyManager(stream(identity.certificateChainPem()), stream(identity.privateKeyPem()));
      }
      ChannelCredentials creds = b.build();
      return Grpc.newChannelBuilderForAddress(target.getHostString(), target.getPort(), creds)
          .overrideAuthority(AUTHORITY)
          .build();
    } catch (IOException e) {
      throw new UncheckedIOException("building TLS credentials for " + target, e);
    }
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
