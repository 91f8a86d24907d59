package io.raftmesh.chaos.validate;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.raftmesh.chaos.history.Event;
import io.raftmesh.chaos.history.History;
import io.raftmesh.chaos.history.HistoryBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TrafficCheckerTest {
  private static final Set<String> NODES = Set.of("n1", "n2", "n3");
  private static final JsonNodeFactory J = JsonNodeFactory.instance;

  private static JsonNode kill(String... nodes) {
    ObjectNode o = J.objectNode();
    var a = o.putArray("nodes");
    for (String n : nodes) {
      a.add(n);
    }
    return o;
  }

  private static JsonNode converged(long applied, long marker) {
    return J.objectNode().put("applied", applied).put("marker", marker).put("store", marker);
  }

  /** Outage of every node from 100 to 200 (kill completes at 100, stop invoked at 200). */
  private static HistoryBuilder withOutage() {
    return new HistoryBuilder()
        .op(90, 100, Event.NEMESIS, "start-kill", null, kill("n1", "n2", "n3"), null)
        .op(200, 210, Event.NEMESIS, "stop-kill", null, J.objectNode(), null);
  }

  private static HistoryBuilder converge(HistoryBuilder b, long applied) {
    return b.op(300, 310, 9, "converge", "node-a", null, converged(applied, 40))
        .op(311, 320, 9, "converge", "node-b", null, converged(40, 40));
  }

  @Test
  void acceptsRequestsThatAllSucceedThroughAnOutageOfEveryServer() {
    History h =
        converge(
                withOutage()
                    .op(10, 20, 0, "request", null, null, J.textNode("backend 1"))
                    .op(120, 130, 0, "request", null, null, J.textNode("backend 2"))
                    .op(150, 190, 1, "request", null, null, J.textNode("backend 3")),
                41)
            .build();
    CheckResult r = TrafficChecker.check(h, NODES, 0);
    assertThat(r.isValid()).as(r.summary()).isTrue();
    assertThat(r.count("outage-requests")).isEqualTo(2);
    assertThat(r.count("converged")).isEqualTo(2);
  }

  @Test
  void catchesARequestThatFailedWhileEveryServerWasDown() {
    HistoryBuilder b = withOutage().op(120, 130, 0, "request", null, null, J.textNode("backend 1"));
    b.invoke(140, 1, "request", null, null).fail(150, 1, "request");
    CheckResult r = TrafficChecker.check(converge(b, 40).build(), NODES, 5);
    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.anomalies("outage-failure")).hasSize(1);
  }

  @Test
  void failuresOutsideOutagesAreInvalidBeyondTheTolerance() {
    HistoryBuilder b = withOutage().op(120, 130, 0, "request", null, null, J.textNode("backend 1"));
    b.invoke(20, 1, "request", null, null).fail(30, 1, "request");
    History h = converge(b, 40).build();
    assertThat(TrafficChecker.check(h, NODES, 0).anomalies("failure")).hasSize(1);
    assertThat(TrafficChecker.check(h, NODES, 1).isValid()).isTrue();
  }

  @Test
  void aRequestOnlyOverlappingTheOutageDoesNotCountAsInsideIt() {
    HistoryBuilder b = withOutage().op(120, 130, 0, "request", null, null, J.textNode("backend 1"));
    b.invoke(190, 1, "request", null, null).fail(205, 1, "request");
    CheckResult r = TrafficChecker.check(converge(b, 40).build(), NODES, 0);
    assertThat(r.count("outage-requests")).isEqualTo(1);
    assertThat(r.anomalies("failure")).hasSize(1);
    assertThat(r.anomalies("outage-failure")).isEmpty();
  }

  @Test
  void killingSomeNodesIsNotAnOutage() {
    History h =
        converge(
                new HistoryBuilder()
                    .op(90, 100, Event.NEMESIS, "start-kill", null, kill("n1", "n2"), null)
                    .op(200, 210, Event.NEMESIS, "stop-kill", null, J.objectNode(), null)
                    .op(120, 130, 0, "request", null, null, J.textNode("backend 1")),
                40)
            .build();
    CheckResult r = TrafficChecker.check(h, NODES, 0);
    assertThat(r.count("outages")).isZero();
    assertThat(r.isValid()).isTrue();
  }

  @Test
  void unknownWhenNoRequestRanInsideTheOutage() {
    History h =
        converge(withOutage().op(10, 20, 0, "request", null, null, J.textNode("backend 1")), 40)
            .build();
    assertThat(TrafficChecker.check(h, NODES, 0).validity()).isEqualTo(Validity.UNKNOWN);
  }

  @Test
  void catchesAnAgentThatDidNotApplyTheFinalRevision() {
    History h =
        converge(withOutage().op(120, 130, 0, "request", null, null, J.textNode("backend 1")), 39)
            .build();
    CheckResult r = TrafficChecker.check(h, NODES, 0);
    assertThat(r.validity()).isEqualTo(Validity.INVALID);
    assertThat(r.anomalies("not-converged")).hasSize(1);
    assertThat(r.anomalies("not-converged").get(0).message()).contains("node-a");
    assertThat(List.of(r.count("agents"), r.count("converged"))).containsExactly(2L, 1L);
  }
}
