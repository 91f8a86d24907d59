package io.raftmesh.chaos.cluster;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** The distribution Failsafe points at ({@code -Draftmesh.dist}, set in chaos-tests/pom.xml). */
public final class TestDistribution {
  private TestDistribution() {}

  /** The built distribution; fails (does not skip) when the build did not make it. */
  public static Distribution get() {
    String home = System.getProperty("raftmesh.dist");
    assertTrue(
        home != null && Files.isDirectory(Path.of(home)),
        () -> "raftmesh.dist=" + home + " (expected: the distribution built by the ops module)");
    return Distribution.at(Path.of(home));
  }
}
