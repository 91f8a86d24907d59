/**
 * Internal (not API): in-process watches that deliver applied changes in revision order without
 * gaps.
 */
@NullMarked
package io.raftmesh.store.watch;

import org.jspecify.annotations.NullMarked;
