/**
 * Checkers that analyse a recorded history after a run and return a verdict with counter-examples.
 */
@NullMarked
package io.raftmesh.chaos.validate;

import org.jspecify.annotations.NullMarked;
