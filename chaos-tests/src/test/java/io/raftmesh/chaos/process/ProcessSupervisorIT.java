package io.raftmesh.chaos.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class ProcessSupervisorIT {
  @TempDir Path dir;
  private ProcessSupervisor sup;

  @BeforeEach
  void start() {
    sup = new ProcessSupervisor(Duration.ofSeconds(2));
  }

  @AfterEach
  void stop() {
    sup.close();
  }

  private SupervisedProcess sh(String name, String script) throws IOException {
    return sup.start(ProcessSpec.of(name, List.of("sh", "-c", script), dir.resolve(name + ".log")));
  }

  /** Polls /proc until the PID's state is one of {@code states} (bounded: 5 s). */
  private static char awaitState(long pid, String states) throws Exception {
    char s = Signals.state(pid);
    for (int i = 0; i < 100 && states.indexOf(s) < 0; i++) {
      Thread.sleep(50);
      s = Signals.state(pid);
    }
    return s;
  }

  @Test
  void capturesStdoutAndStderrInTheLogFile() throws Exception {
    SupervisedProcess p = sh("echo", "echo to-out; echo to-err >&2; exit 3");

    assertThat(p.waitFor(Duration.ofSeconds(10))).isTrue();

    assertThat(p.exitCode()).hasValue(3);
    String log = Files.readString(dir.resolve("echo.log"), StandardCharsets.UTF_8);
    assertThat(log).contains("start echo: sh -c").contains("to-out").contains("to-err");
  }

  @Test
  void killSendsSigkillToTheWholeTree() throws Exception {
    SupervisedProcess p = sh("tree", "sleep 300 & sleep 300 & wait");
    for (int i = 0; i < 100 && p.tree().size() < 3; i++) {
      Thread.sleep(20);
    }
    List<Long> pids = p.tree();
    assertThat(pids).hasSize(3);

    p.kill();

    assertThat(p.exitCode()).hasValue(128 + 9);
    for (long pid : pids) {
      assertThat(awaitState(pid, "?Z")).as("pid %d", pid).isIn('?', 'Z');
    }
  }

  @Test
  void pauseStopsTheTreeAndResumeContinuesIt() throws Exception {
    SupervisedProcess p = sh("pausable", "sleep 300 & wait");
    for (int i = 0; i < 100 && p.tree().size() < 2; i++) {
      Thread.sleep(20);
    }
    List<Long> pids = p.tree();

    p.pause();

    assertThat(p.isPaused()).isTrue();
    for (long pid : pids) {
      assertThat(awaitState(pid, "T")).as("pid %d", pid).isEqualTo('T');
    }

    p.resume();

    assertThat(p.isPaused()).isFalse();
    for (long pid : pids) {
      assertThat(awaitState(pid, "RS")).as("pid %d", pid).isIn('R', 'S');
    }
  }

  @Test
  void stopGivesGraceThenKillsAProcessIgnoringSigterm() throws Exception {
    SupervisedProcess polite = sh("polite", "trap 'exit 0' TERM; while :; do sleep 0.05; done");
    SupervisedProcess stubborn = sh("stubborn", "trap '' TERM; while :; do sleep 0.05; done");
    Thread.sleep(200); // let both shells install their traps

    polite.stop(Duration.ofSeconds(5));
    stubborn.stop(Duration.ofMillis(300));

    assertThat(polite.exitCode()).hasValue(0);
    assertThat(stubborn.exitCode()).hasValue(128 + 9);
  }

  @Test
  void restartStartsTheSameSpecAgainAppendingToItsLog() throws Exception {
    SupervisedProcess first = sh("node", "echo run; sleep 300");
    long firstPid = first.pid();

    SupervisedProcess second = sup.restart(first);

    assertThat(first.isAlive()).isFalse();
    assertThat(second.isAlive()).isTrue();
    assertThat(second.pid()).isNotEqualTo(firstPid);
    second.kill();
    String log = Files.readString(dir.resolve("node.log"), StandardCharsets.UTF_8);
    assertThat(log.split("start node:", -1)).hasSize(3);
  }

  @Test
  void closeStopsEverythingItStartedIncludingPausedProcesses() throws Exception {
    SupervisedProcess a = sh("a", "sleep 300 & wait");
    SupervisedProcess b = sh("b", "sleep 300");
    for (int i = 0; i < 100 && a.tree().size() < 2; i++) {
      Thread.sleep(20);
    }
    List<Long> pids = new java.util.ArrayList<>(a.tree());
    pids.add(b.pid());
    b.pause();

    sup.close();

    assertThat(a.isAlive()).isFalse();
    assertThat(b.isAlive()).isFalse();
    for (long pid : pids) {
      assertThat(awaitState(pid, "?Z")).as("pid %d", pid).isIn('?', 'Z');
    }
    assertThatThrownBy(() -> sh("late", "true")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void reportsACommandThatCannotStart() {
    assertThatThrownBy(
            () ->
                sup.start(
                    ProcessSpec.of("ghost", List.of("/nonexistent/binary"), dir.resolve("g.log"))))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot start ghost");
  }

  @Test
  void readsTheSchedulerStateOfAnExitedProcessAsGone() throws Exception {
    SupervisedProcess p = sh("short", "true");
    p.waitFor(Duration.ofSeconds(10));

    assertThat(Signals.state(p.pid())).isEqualTo('?');
  }
}
