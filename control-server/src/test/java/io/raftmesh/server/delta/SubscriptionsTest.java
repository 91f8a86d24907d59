package io.raftmesh.server.delta;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.raftmesh.proto.v1.Delta;
import io.raftmesh.server.metrics.ServerMetrics;
import io.raftmesh.server.rpc.LeaderHint;
import io.raftmesh.server.rpc.StatusMapping;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Shedding delta streams when no leader is known: only once the grace after "no leader" has passed
 * without a leader, so an ordinary election does not end every stream in the cluster.
 */
class SubscriptionsTest {
  private static final Duration GRACE = Duration.ofMillis(50);

  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ServerMetrics metrics =
      new ServerMetrics(new PrometheusRegistry(), "test", "test", () -> "follower", () -> 0);

  // The member is never used by the paths under test (no stream is reset or resumed here).
  @SuppressWarnings("NullAway")
  private final Subscriptions hub =
      new Subscriptions(
          null, "n1", null, metrics, new StatusMapping(LeaderHint.none()), scheduler, GRACE);

  @AfterEach
  void stop() {
    scheduler.shutdownNow();
  }

  @Test
  void aLeaderElectedWithinTheGraceKeepsEveryStreamOpen() throws Exception {
    RecordingStream out = new RecordingStream();
    Subscription s = new Subscription(hub, out, "node-a");
    hub.add(s);

    hub.onNoLeader(Duration.ofMillis(600));
    assertThat(hub.refusal().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    hub.onLeaderChanged("n2", 7);
    afterTheGrace();

    assertThat(out.error).isNull();
    assertThat(hub.size()).isEqualTo(1);
    assertThat(hub.refusal().isOk()).isTrue();
    assertThat(metrics.streamsShed.labelValues("no_quorum").get()).isZero();
  }

  @Test
  void noLeaderThroughoutTheGraceShedsEveryStreamWithUnavailable() throws Exception {
    RecordingStream a = new RecordingStream();
    RecordingStream b = new RecordingStream();
    hub.add(new Subscription(hub, a, "node-a"));
    hub.add(new Subscription(hub, b, "node-b"));

    hub.onNoLeader(Duration.ofMillis(600));
    afterTheGrace();

    assertThat(hub.size()).isZero();
    for (RecordingStream r : new RecordingStream[] {a, b}) {
      assertThat(r.error).isNotNull();
      assertThat(Status.fromThrowable(r.error).getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(Status.fromThrowable(r.error).getDescription()).contains("no leader for 650ms");
    }
    assertThat(metrics.streamsShed.labelValues("no_quorum").get()).isEqualTo(2.0);
  }

  @Test
  void aShedScheduledInAnEarlierLeaderlessPeriodDoesNotEndStreamsOfALaterOne() throws Exception {
    RecordingStream out = new RecordingStream();
    hub.add(new Subscription(hub, out, "node-a"));

    hub.onNoLeader(Duration.ofMillis(600));
    hub.onLeaderChanged("n2", 7);
    hub.onNoLeader(Duration.ofMillis(600));
    hub.onLeaderChanged("n3", 8);
    afterTheGrace();

    assertThat(out.error).isNull();
    assertThat(hub.size()).isEqualTo(1);
  }

  /** Waits for a task scheduled after every shed the test could have caused (one thread). */
  private void afterTheGrace() throws Exception {
    Runnable marker = () -> {};
    ScheduledFuture<?> done = scheduler.schedule(marker, GRACE.toMillis() * 4, MILLISECONDS);
    done.get(10, TimeUnit.SECONDS);
  }

  /** Records what the server sent on one stream. */
  private static final class RecordingStream extends ServerCallStreamObserver<Delta> {
    volatile @Nullable Throwable error;

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {}

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(Delta value) {}

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {}
  }
}
