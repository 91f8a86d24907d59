package io.raftmesh.agent.control;

import io.grpc.ManagedChannel;
import io.raftmesh.agent.config.HostPort;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jspecify.annotations.Nullable;

/**
 * Opens gRPC channels to control servers. The real one ({@link #tls()}) speaks TLS with the given
 * managers, consulted on every handshake, so a rotated key or a new trust bundle applies to the
 * next connection without rebuilding the channel; tests may substitute an in-process transport.
 */
public interface ChannelFactory {

  /**
   * A channel to {@code server} that presents {@code keyManager}'s certificate (none when null, as
   * for enrollment) and trusts what {@code trustManager} accepts.
   */
  ManagedChannel open(
      HostPort server,
      @Nullable X509ExtendedKeyManager keyManager,
      X509ExtendedTrustManager trustManager);

  /** The production factory: Netty transport, TLS 1.3/1.2 with the given JSSE managers. */
  static ChannelFactory tls() {
    return new TlsChannelFactory();
  }
}
