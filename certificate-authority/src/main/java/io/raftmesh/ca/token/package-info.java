/** Join tokens: generation, parsing and constant-time verification against a stored hash. */
@NullMarked
package io.raftmesh.ca.token;

import org.jspecify.annotations.NullMarked;
