/**
 * The applied mesh config on disk, so a restarted agent serves at once without a control server.
 */
@NullMarked
package io.raftmesh.agent.cache;

import org.jspecify.annotations.NullMarked;
