package io.raftmesh.server.delta;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.proto.v1.DeltaServiceGrpc;
import io.raftmesh.proto.v1.SubscribeRequest;
import io.raftmesh.server.auth.Caller;

/** DeltaService: one {@link Subscription} per stream; the node comes from its certificate. */
public final class DeltaGrpcService extends DeltaServiceGrpc.DeltaServiceImplBase {
  private final Subscriptions subscriptions;

  /** Streams registered in {@code subscriptions}. */
  public DeltaGrpcService(Subscriptions subscriptions) {
    this.subscriptions = subscriptions;
  }

  @Override
  public StreamObserver<SubscribeRequest> subscribe(StreamObserver<Delta> responses) {
    Caller.Node node = (Caller.Node) Caller.current();
    return new Subscription(
        subscriptions, (ServerCallStreamObserver<Delta>) responses, node.name());
  }
}
