package io.raftmesh.server.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

/** Counts every finished call by method and status code ({@code raftmesh_server_rpcs_total}). */
public final class RpcMetricsInterceptor implements ServerInterceptor {
  private final ServerMetrics metrics;

  /** Counts into {@code metrics}. */
  public RpcMetricsInterceptor(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    String shortName = method.substring(method.lastIndexOf('.') + 1);
    return next.startCall(
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            metrics.rpcs.labelValues(shortName, status.getCode().name()).inc();
            super.close(status, trailers);
          }
        },
        headers);
  }
}
