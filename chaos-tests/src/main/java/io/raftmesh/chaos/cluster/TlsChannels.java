package io.raftmesh.chaos.cluster;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * gRPC channels to control servers over TLS, built from PEM text with gRPC's own TLS support (none
 * of the server's code). The server certificates {@code raftmesh ca init} writes for the harness
 * name {@code localhost}, which is what the channels verify, whatever address they dial (a relay, a
 * bridge or the node itself).
 *
 * <p>Two client settings matter under faults. gRPC's reconnect backoff grows to two minutes, and
 * while a channel waits, every call fails at once with the last connection error: after a node came
 * back, the harness kept recording instant failures for minutes (the first long runs did: 98 % of
 * operations were "Connection closed while performing TLS negotiation", long after the heal). So
 * every open channel's backoff is reset twice a second, and every call is wait-for-ready: it waits
 * for a connection until its own deadline instead of failing fast.
 */
final class TlsChannels {
  /** The name every server certificate of a harness cluster carries. */
  static final String AUTHORITY = "localhost";

  private static final List<ManagedChannel> OPEN = new CopyOnWriteArrayList<>();
  private static final ScheduledExecutorService RECONNECT =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "channel-reconnect");
            t.setDaemon(true);
            return t;
          });
  private static final ScheduledFuture<?> RESETS =
      RECONNECT.scheduleWithFixedDelay(TlsChannels::resetBackoffs, 500, 500, TimeUnit.MILLISECONDS);

  private static final ClientInterceptor WAIT_FOR_READY =
      new ClientInterceptor() {
        @Override
        public <Q, A> ClientCall<Q, A> interceptCall(
            MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
          return next.newCall(method, options.withWaitForReady());
        }
      };

  private TlsChannels() {}

  /** Whether the reconnect ticker still runs (it stops only with the JVM). */
  static boolean reconnecting() {
    return !RESETS.isDone();
  }

  private static void resetBackoffs() {
    for (ManagedChannel ch : OPEN) {
      if (ch.isShutdown()) {
        OPEN.remove(ch);
      } else {
        ch.resetConnectBackoff();
      }
    }
  }

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
      ManagedChannel ch =
          Grpc.newChannelBuilderForAddress(target.getHostString(), target.getPort(), creds)
              .overrideAuthority(AUTHORITY)
              .intercept(WAIT_FOR_READY)
              .build();
      OPEN.add(ch);
      return ch;
    } catch (IOException e) {
      throw new UncheckedIOException("building TLS credentials for " + target, e);
    }
  }

  private static ByteArrayInputStream stream(String pem) {
    return new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII));
  }
}
