/**
 * Cluster administration: status of the control plane and of the nodes, Raft membership changes,
 * and logical backups of the whole store.
 */
@NullMarked
package io.raftmesh.server.admin;

import org.jspecify.annotations.NullMarked;
