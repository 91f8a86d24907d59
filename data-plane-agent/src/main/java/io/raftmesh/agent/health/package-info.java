/** Health checks of local applications (HTTP GET or TCP connect) with thresholds. */
@NullMarked
package io.raftmesh.agent.health;

import org.jspecify.annotations.NullMarked;
