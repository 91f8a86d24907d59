package io.raftmesh.agent.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.ca.identity.SpiffeId;
import io.raftmesh.ca.tls.RotatingKeyManager;
import java.security.cert.X509Certificate;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Channels to {@link FakeControlServer}s on the in-process transport. There is no TLS: the caller's
 * identity is the SPIFFE ID of the key manager's current certificate, sent in a header on every
 * call, so a rotated certificate is what the next call presents (as with a new handshake).
 */
public final class InProcessChannels implements ChannelFactory {
  public static final String HOST = "in-process";

  static String name(int port) {
    return "fake-control-" + port;
  }

  @Override
  public ManagedChannel open(
      HostPort server, X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager) {
    InProcessChannelBuilder builder =
        InProcessChannelBuilder.forName(name(server.port())).directExecutor();
    if (keyManager instanceof RotatingKeyManager rotating) {
      builder.intercept(new IdentityHeader(rotating));
    }
    return builder.build();
  }

  private static final class IdentityHeader implements ClientInterceptor {
    private final RotatingKeyManager keys;

    IdentityHeader(RotatingKeyManager keys) {
      this.keys = keys;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
      return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
          X509Certificate leaf = keys.currentCertificate().orElse(null);
          if (leaf != null) {
            headers.put(FakeControlServer.TEST_IDENTITY, SpiffeId.fromCertificate(leaf).toString());
          }
          super.start(listener, headers);
        }
      };
    }
  }
}
