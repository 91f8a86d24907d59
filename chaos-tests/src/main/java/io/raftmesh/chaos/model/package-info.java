/**
 * Models of the store that checkers compare observations with: the compare-and-set register and the
 * revisioned change log behind config deltas.
 */
@NullMarked
package io.raftmesh.chaos.model;

import org.jspecify.annotations.NullMarked;
