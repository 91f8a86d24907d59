/** The mesh's PKI as a pure library: shared types (fingerprints, the base exception). */
@NullMarked
package io.raftmesh.ca;

import org.jspecify.annotations.NullMarked;
