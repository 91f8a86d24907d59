package io.raftmesh.chaos.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeLogTest {
  private final ChangeLog log =
      ChangeLog.of(
          List.of(
              new Change(1, "/a", "a1"),
              new Change(2, "/b", "b1"),
              new Change(3, "/a", "a2"),
              new Change(3, "/c", "c1"),
              new Change(4, "/b", null)));

  @Test
  void computesTheStateAtAnyRevision() {
    assertThat(log.stateAt(0)).isEmpty();
    assertThat(log.stateAt(2).values())
        .containsExactly(new Upsert("/a", "a1", 1), new Upsert("/b", "b1", 2));
    assertThat(log.stateAt(9).keySet()).containsExactly("/a", "/c");
    assertThat(log.existsAt("/b", 3)).isTrue();
    assertThat(log.existsAt("/b", 4)).isFalse();
  }

  @Test
  void foldsARangeToTheLastChangePerKey() {
    assertThat(log.fold(1, 4).values())
        .containsExactly(
            new Change(3, "/a", "a2"), new Change(4, "/b", null), new Change(3, "/c", "c1"));
    assertThat(log.fold(4, 9)).isEmpty();
    assertThat(log.at(3)).hasSize(2);
    assertThat(log.lastRevision()).isEqualTo(4);
  }

  @Test
  void rejectsRevisionsGoingBackAndAKeyChangedTwiceInOneRevision() {
    assertThatThrownBy(
            () -> ChangeLog.of(List.of(new Change(2, "/a", "x"), new Change(1, "/b", "y"))))
        .hasMessage("changes[1].revision: 1 (expected: >= 2)");
    assertThatThrownBy(
            () -> ChangeLog.of(List.of(new Change(2, "/a", "x"), new Change(2, "/a", "y"))))
        .hasMessageContaining("changed twice at revision 2");
  }
}
