/** How the control server lays out its own records in the replicated store and talks to it. */
@NullMarked
package io.raftmesh.server.store;

import org.jspecify.annotations.NullMarked;
