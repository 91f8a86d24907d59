/**
 * Client traffic: concurrent workers that issue planned operations and record them in a history.
 */
@NullMarked
package io.raftmesh.chaos.traffic;

import org.jspecify.annotations.NullMarked;
