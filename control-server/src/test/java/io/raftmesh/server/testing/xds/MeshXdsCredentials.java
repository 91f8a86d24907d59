package io.raftmesh.server.testing.xds;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.xds.XdsCredentialsProvider;
import io.raftmesh.ca.tls.MeshTrustManager;
import io.raftmesh.ca.tls.RotatingKeyManager;
import io.raftmesh.server.tls.MeshChannels;
import io.raftmesh.server.tls.TlsDir;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The {@code channel_creds} type {@code raftmesh_mtls} for grpc-java's xDS bootstrap: mutual TLS to
 * the control servers with the mesh identity in {@code config.tls_dir} (a directory as written by
 * {@code raftmesh ca init} or an agent: {@code tls.crt}, {@code tls.key}, {@code
 * trust-bundle.pem}), accepting only control-server identities. grpc-java's own {@code tls} type
 * presents no client certificate, so a proxyless application registers a provider like this one
 * (found by ServiceLoader through {@code META-INF/services/io.grpc.xds.XdsCredentialsProvider}).
 */
public final class MeshXdsCredentials extends XdsCredentialsProvider {
  /** The name used in the bootstrap's {@code channel_creds[].type}. */
  public static final String TYPE = "raftmesh_mtls";

  @Override
  protected ChannelCredentials newChannelCredentials(Map<String, ?> config) {
    Object dir = config == null ? null : config.get("tls_dir");
    if (!(dir instanceof String path)) {
      throw new IllegalArgumentException(
          "channel_creds[type=" + TYPE + "].config.tls_dir: missing (expected: a directory)");
    }
    TlsDir tls = TlsDir.read(Path.of(path));
    return TlsChannelCredentials.newBuilder()
        .keyManager(RotatingKeyManager.of(tls.key(), tls.chain()))
        .trustManager(
            MeshTrustManager.of(tls.trustBundle(), MeshChannels::isServer, Clock.systemUTC()))
        .build();
  }

  @Override
  protected String getName() {
    return TYPE;
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public int priority() {
    return 5;
  }
}
