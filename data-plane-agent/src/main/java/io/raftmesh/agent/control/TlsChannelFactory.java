package io.raftmesh.agent.control;

import io.grpc.ChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.raftmesh.agent.config.HostPort;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/** {@link ChannelFactory} over Netty with TLS credentials built from JSSE managers. */
final class TlsChannelFactory implements ChannelFactory {
  // Large enough for a full-state delta of a big mesh; the server bounds what it sends.
  private static final int MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

  @Override
  public ManagedChannel open(
      HostPort server,
      @Nullable X509ExtendedKeyManager keyManager,
      X509ExtendedTrustManager trustManager) {
    TlsChannelCredentials.Builder tls =
        TlsChannelCredentials.newBuilder().trustManager(trustManager);
    if (keyManager != null) {
      tls.keyManager(keyManager);
    }
    ChannelCredentials credentials = tls.build();
    return NettyChannelBuilder.forAddress(server.host(), server.port(), credentials)
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        // The agent retries across servers itself; gRPC's own retries would hide which one failed.
        .disableRetry()
        .idleTimeout(5, TimeUnit.MINUTES)
        .build();
  }
}
