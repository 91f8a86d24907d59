package io.raftmesh.server.auth;

/**
 * Whether a node is currently enrolled (its Node resource exists). A node removed by an admin is
 * refused even while its certificate is still valid.
 */
@FunctionalInterface
public interface EnrolledNodes {
  /** Whether {@code name} is enrolled; may read the store. */
  boolean isEnrolled(String name);
}
