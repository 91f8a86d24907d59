/**
 * Seeded nemesis schedules and the runner that plays them against a cluster while recording them.
 */
@NullMarked
package io.raftmesh.chaos.scenarios;

import org.jspecify.annotations.NullMarked;
