/**
 * Enrollment: join tokens (only a hash stored, each use consumed through Raft) traded with a CSR
 * for a node certificate, exactly once per use, across leader changes.
 */
@NullMarked
package io.raftmesh.server.enroll;

import org.jspecify.annotations.NullMarked;
