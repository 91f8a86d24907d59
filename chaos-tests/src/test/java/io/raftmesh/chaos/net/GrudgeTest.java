package io.raftmesh.chaos.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GrudgeTest {
  private static final List<String> FIVE = List.of("n1", "n2", "n3", "n4", "n5");

  /** The nodes {@code node} can hear from, itself included. */
  private static Set<String> hears(Grudge g, String node, List<String> nodes) {
    Set<String> s = new TreeSet<>(nodes);
    s.removeAll(g.drops(node));
    return s;
  }

  @Test
  void completeGrudgeCutsEveryLinkBetweenComponents() {
    Grudge g = Grudge.complete(List.of(List.of("n1", "n2"), List.of("n3")));

    assertThat(g.asMap())
        .isEqualTo(Map.of("n1", Set.of("n3"), "n2", Set.of("n3"), "n3", Set.of("n1", "n2")));
    assertThat(g.reaches("n1", "n2")).isTrue();
    assertThat(g.reaches("n1", "n3")).isFalse();
  }

  @Test
  void isolateCutsOneNodeBothWays() {
    Grudge g = Grudge.isolate("n2", List.of("n1", "n2", "n3"));

    assertThat(g.drops("n2")).containsExactlyInAnyOrder("n1", "n3");
    assertThat(g.drops("n1")).containsExactly("n2");
    assertThat(g.drops("n3")).containsExactly("n2");
    assertThatThrownBy(() -> Grudge.isolate("n9", List.of("n1")))
        .hasMessage("node: n9 (expected: one of [n1])");
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void randomHalvesSplitIntoAMinorityAndAMajority(long seed) {
    Grudge g = Grudge.randomHalves(FIVE, new Random(seed));

    Set<Integer> sizes = new TreeSet<>();
    for (String n : FIVE) {
      sizes.add(hears(g, n, FIVE).size());
    }
    assertThat(sizes).containsExactly(2, 3);
    assertThat(g.symmetric()).isEqualTo(g);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5})
  void majoritiesRingGivesEveryNodeADifferentMajority(long seed) {
    Grudge g = Grudge.majoritiesRing(FIVE, new Random(seed));

    Set<Set<String>> views = new java.util.HashSet<>();
    for (String n : FIVE) {
      Set<String> view = hears(g, n, FIVE);
      assertThat(view).hasSize(3).contains(n);
      views.add(view);
    }
    assertThat(views).hasSize(5);
  }

  @Test
  void majoritiesRingOfThreeIsAOneWayCycle() {
    List<String> three = List.of("a", "b", "c");
    Grudge g = Grudge.majoritiesRing(three, new Random(9));

    for (String n : three) {
      assertThat(hears(g, n, three)).hasSize(2);
    }
    assertThat(g.symmetric()).isNotEqualTo(g);
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3})
  void bridgeKeepsOneNodeConnectedToBothHalves(long seed) {
    Grudge g = Grudge.bridge(FIVE, new Random(seed));

    String bridge =
        FIVE.stream().filter(n -> hears(g, n, FIVE).size() == 5).findFirst().orElseThrow();
    for (String n : FIVE) {
      assertThat(g.reaches(bridge, n)).isTrue();
      assertThat(g.reaches(n, bridge)).isTrue();
    }
    long cut = FIVE.stream().filter(n -> !g.drops(n).isEmpty()).count();
    assertThat(cut).isEqualTo(4);
  }

  @Test
  void sameSeedGivesSameGrudgeWhateverTheInputOrder() {
    Grudge a = Grudge.randomHalves(FIVE, new Random(7));
    Grudge b = Grudge.randomHalves(List.of("n5", "n4", "n3", "n2", "n1"), new Random(7));

    assertThat(a).isEqualTo(b);
  }

  @Test
  void oneWayDropsOnlyOneDirectionAndSymmetricAddsTheMirror() {
    Grudge g = Grudge.oneWay(List.of("n1"), List.of("n2", "n3"));

    assertThat(g.reaches("n2", "n1")).isFalse();
    assertThat(g.reaches("n1", "n2")).isTrue();
    assertThat(g.symmetric().reaches("n1", "n2")).isFalse();
  }

  @Test
  void rejectsANodeThatDropsItself() {
    assertThatThrownBy(() -> Grudge.of(Map.of("n1", List.of("n1"))))
        .hasMessageContaining("never drops itself");
  }
}
