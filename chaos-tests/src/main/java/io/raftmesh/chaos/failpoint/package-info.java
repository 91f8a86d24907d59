/** Fault definitions and the nemesis that applies them to processes and networks. */
@NullMarked
package io.raftmesh.chaos.failpoint;

import org.jspecify.annotations.NullMarked;
