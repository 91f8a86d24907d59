package io.raftmesh.agent.testing;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ConnectivityState;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.raftmesh.agent.config.HostPort;
import io.raftmesh.agent.control.ChannelFactory;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.DeltaServiceGrpc;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The production TLS channels ({@link ChannelFactory#tls()}) with a recorder of every {@link Delta}
 * the agent received over the wire, numbered by the DeltaService stream (one gRPC call, so one
 * HTTP/2 connection) that carried it, and a count of the channels the agent opened.
 */
public final class RecordingChannels implements ChannelFactory {
  /**
   * A delta as received.
   *
   * @param stream which DeltaService stream of this agent carried it (1, 2, ...)
   * @param server the server dialed
   * @param revision the delta's revision
   * @param previous its previous revision
   * @param reset whether it was a full state
   * @param serverId the id of the server that sent it
   */
  public record Received(
      int stream, String server, long revision, long previous, boolean reset, String serverId) {}

  /**
   * A DeltaService stream that ended.
   *
   * @param stream which stream
   * @param code its status code
   * @param description the status description (may be empty)
   */
  public record Ended(int stream, Status.Code code, String description) {}

  private final ChannelFactory tls = ChannelFactory.tls();
  private final List<Ended> ended = new CopyOnWriteArrayList<>();
  private final AtomicInteger streams = new AtomicInteger();
  private final AtomicInteger channels = new AtomicInteger();
  private final List<Received> deltas = new CopyOnWriteArrayList<>();

  @Override
  public ManagedChannel open(
      HostPort server, X509ExtendedKeyManager keyManager, X509ExtendedTrustManager trustManager) {
    channels.incrementAndGet();
    return new Intercepted(
        tls.open(server, keyManager, trustManager), new DeltaRecorder(server.toString()));
  }

  /** Every delta received so far, in order. */
  public List<Received> deltas() {
    return List.copyOf(deltas);
  }

  /** Every DeltaService stream that ended, in order. */
  public List<Ended> ended() {
    return List.copyOf(ended);
  }

  /** How many DeltaService streams were opened. */
  public int streams() {
    return streams.get();
  }

  /** How many channels were opened. */
  public int channels() {
    return channels.get();
  }

  private final class DeltaRecorder implements ClientInterceptor {
    private final String server;

    DeltaRecorder(String server) {
      this.server = server;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
      ClientCall<ReqT, RespT> call = next.newCall(method, options);
      if (!method
          .getFullMethodName()
          .equals(DeltaServiceGrpc.getSubscribeMethod().getFullMethodName())) {
        return call;
      }
      int stream = streams.incrementAndGet();
      return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
          super.start(
              new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                @Override
                public void onMessage(RespT message) {
                  if (message instanceof Delta d) {
                    deltas.add(
                        new Received(
                            stream,
                            server,
                            d.getRevision(),
                            d.getPreviousRevision(),
                            d.getReset(),
                            d.getServerId()));
                  }
                  super.onMessage(message);
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                  String d = status.getDescription();
                  ended.add(new Ended(stream, status.getCode(), d == null ? "" : d));
                  super.onClose(status, trailers);
                }
              },
              headers);
        }
      };
    }
  }

  /** A managed channel whose calls go through an interceptor. */
  private static final class Intercepted extends ManagedChannel {
    private final ManagedChannel delegate;
    private final Channel intercepted;

    Intercepted(ManagedChannel delegate, ClientInterceptor interceptor) {
      this.delegate = delegate;
      this.intercepted = ClientInterceptors.intercept(delegate, interceptor);
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
        MethodDescriptor<ReqT, RespT> method, CallOptions options) {
      return intercepted.newCall(method, options);
    }

    @Override
    public String authority() {
      return delegate.authority();
    }

    @Override
    public ManagedChannel shutdown() {
      delegate.shutdown();
      return this;
    }

    @Override
    public boolean isShutdown() {
      return delegate.isShutdown();
    }

    @Override
    public boolean isTerminated() {
      return delegate.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
      delegate.shutdownNow();
      return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      return delegate.awaitTermination(timeout, unit);
    }

    @Override
    public ConnectivityState getState(boolean requestConnection) {
      return delegate.getState(requestConnection);
    }
  }
}
