package io.raftmesh.chaos.workload;

import io.raftmesh.chaos.cluster.Cluster;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryRecorder;
import io.raftmesh.chaos.scenarios.NemesisSchedule;
import io.raftmesh.chaos.traffic.Workload;
import io.raftmesh.chaos.validate.CheckResult;
import java.util.List;
import java.util.Optional;

/**
 * One workload of a chaos run. {@link ChaosRun} calls, in order: {@link #setUp}, {@link #traffic}
 * (driven by concurrent workers while the nemesis runs), {@link #finish} once every fault is healed
 * (final reads, recorded in the same history), {@link #check}, and {@link #close} always.
 */
public interface ChaosWorkload extends AutoCloseable {
  /** The name in summaries and run folders ({@code register}). */
  String name();

  /** Prepares what the traffic needs (tokens, enrolled subscribers...). */
  default void setUp(Cluster cluster, HistoryRecorder recorder) throws Exception {}

  /**
   * A fault schedule of the workload's own (for instance every server down at once), used instead
   * of the generated one when present; empty by default.
   */
  default Optional<NemesisSchedule> schedule(List<String> nodes, ChaosRun.Options options) {
    return Optional.empty();
  }

  /** The client operations to issue during the run. */
  Workload traffic(Cluster cluster);

  /** After the heal: final reads and whatever the checks need from the cluster. */
  void finish(Cluster cluster, HistoryRecorder recorder) throws Exception;

  /** The verdicts. */
  List<CheckResult> check(History history) throws Exception;

  /** Releases channels and threads. */
  @Override
  default void close() {}
}
