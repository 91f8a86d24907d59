package io.raftmesh.server.cli;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.raftmesh.ca.identity.MeshIdentity;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.tls.MeshTrustManager;
import io.raftmesh.ca.tls.RotatingKeyManager;
import io.raftmesh.server.tls.TlsDir;
import java.time.Clock;
import javax.net.ssl.SSLException;

/**
 * Opens mutual-TLS channels to control servers with an admin's TLS dir: the client presents the
 * admin certificate, and accepts a server only if its chain ends at the trust bundle and its SPIFFE
 * ID is a control server's ({@code spiffe://<td>/control/<id>}).
 */
final class TlsChannels implements CliContext.ChannelOpener {

  private final SslContext ssl;

  TlsChannels(TlsDir tls) {
    MeshTrustManager trust =
        MeshTrustManager.of(tls.trustBundle(), TlsChannels::isControlServer, Clock.systemUTC());
    try {
      ssl =
          GrpcSslContexts.forClient()
              .keyManager(RotatingKeyManager.of(tls.key(), tls.chain()))
              .trustManager(trust)
              .build();
    } catch (SSLException e) {
      throw new IllegalStateException(
          "cannot build a TLS context from the tls dir: " + e.getMessage(), e);
    }
  }

  static boolean isControlServer(SpiffeId id) {
    try {
      return MeshIdentity.of(id) instanceof MeshIdentity.ControlServer;
    } catch (RuntimeException e) {
      return false;
    }
  }

  @Override
  public ManagedChannel open(String server) {
    return NettyChannelBuilder.forTarget(server).sslContext(ssl).build();
  }
}
