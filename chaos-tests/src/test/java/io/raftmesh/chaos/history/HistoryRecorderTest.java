package io.raftmesh.chaos.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class HistoryRecorderTest {

  @Test
  void recordsTimesFromItsClockRelativeToStart() {
    AtomicLong clock = new AtomicLong(1_000);
    HistoryRecorder r = HistoryRecorder.withClock(clock::get, null);
    Worker w = r.newWorker();

    clock.set(1_010);
    PendingOp op = w.invoke("write", "k", Values.text("a"));
    clock.set(1_050);
    op.complete(Completion.ok().withRevision(7).withNode("n2"));

    List<Event> events = r.history().events();
    assertThat(events).extracting(Event::time).containsExactly(10L, 50L);
    assertThat(events.get(1).revision()).isEqualTo(7);
    assertThat(events.get(1).node()).isEqualTo("n2");
    assertThat(events.get(1).key()).isEqualTo("k");
  }

  @Test
  void givesWorkerAFreshProcessAfterAnUnknownOutcome() {
    HistoryRecorder r = HistoryRecorder.inMemory();
    Worker a = r.newWorker();
    Worker b = r.newWorker();
    int first = a.process();

    a.invoke("write", "k", Values.text("x")).complete(Completion.info("timeout"));
    a.invoke("read", "k", null).complete(Completion.ok(Values.text(null)));

    assertThat(a.process()).isNotEqualTo(first).isNotEqualTo(b.process());
    History h = r.history();
    assertThat(h.clientOperations()).extracting(Operation::process).doesNotHaveDuplicates();
  }

  @Test
  void rejectsSecondInvocationAndDoubleCompletion() {
    Worker w = HistoryRecorder.inMemory().newWorker();
    PendingOp op = w.invoke("read", "k", null);

    assertThatThrownBy(() -> w.invoke("read", "k", null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("pending");
    op.complete(Completion.ok(Values.text("a")));
    assertThatThrownBy(() -> op.complete(Completion.ok()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("completed twice");
  }

  @Test
  void keepsNemesisProcessAfterInfo() {
    HistoryRecorder r = HistoryRecorder.inMemory();
    r.nemesis().invoke("start-kill", null, null).complete(Completion.info("done"));

    assertThat(r.nemesis().process()).isEqualTo(Event.NEMESIS);
  }

  @Test
  void recordsAValidHistoryFromConcurrentWorkers() throws Exception {
    HistoryRecorder r = HistoryRecorder.inMemory();
    int threads = 4;
    int opsPerThread = 500;
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Worker w = r.newWorker();
      int id = t;
      Thread th =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < opsPerThread; i++) {
                  PendingOp op = w.invoke("add", null, Values.text(id + "-" + i));
                  op.complete(i % 7 == 0 ? Completion.info("timeout") : Completion.ok());
                }
              });
      workers.add(th);
      th.start();
    }
    start.countDown();
    for (Thread th : workers) {
      th.join();
    }

    History h = r.history();

    assertThat(h.events()).hasSize(threads * opsPerThread * 2);
    long lastTime = -1;
    for (int i = 0; i < h.events().size(); i++) {
      Event e = h.events().get(i);
      assertThat(e.index()).isEqualTo(i);
      assertThat(e.time()).isGreaterThanOrEqualTo(lastTime);
      lastTime = e.time();
    }
    assertThat(h.clientOperations()).hasSize(threads * opsPerThread);
    assertThat(h.clientOperations()).allMatch(Operation::isCompleted);
  }

  @Test
  void appendsEveryEventToTheSinkInOrder() throws IOException {
    List<Event> seen = new ArrayList<>();
    EventSink sink =
        new EventSink() {
          @Override
          public void accept(Event event) {
            seen.add(event);
          }

          @Override
          public void close() {}
        };
    HistoryRecorder r = HistoryRecorder.withClock(System::nanoTime, sink);
    r.newWorker().invoke("read", "k", null).complete(Completion.fail("not leader"));
    r.close();

    assertThat(seen).isEqualTo(r.history().events());
  }

  @Test
  void reportsSinkFailureOnClose() {
    EventSink sink =
        new EventSink() {
          @Override
          public void accept(Event event) throws IOException {
            throw new IOException("disk full");
          }

          @Override
          public void close() {}
        };
    HistoryRecorder r = HistoryRecorder.withClock(System::nanoTime, sink);
    r.newWorker().invoke("read", "k", null).complete(Completion.ok());

    assertThat(r.history().events()).hasSize(2);
    assertThatThrownBy(r::close).hasRootCauseMessage("disk full");
  }
}
