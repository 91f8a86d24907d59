/** The node's identity: enrollment with a join token and the identity files in the data dir. */
@NullMarked
package io.raftmesh.agent.identity;

import org.jspecify.annotations.NullMarked;
