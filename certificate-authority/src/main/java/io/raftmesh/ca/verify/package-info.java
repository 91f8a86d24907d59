/** Trust bundles and certificate chain verification with SPIFFE leaf checks. */
@NullMarked
package io.raftmesh.ca.verify;

import org.jspecify.annotations.NullMarked;
