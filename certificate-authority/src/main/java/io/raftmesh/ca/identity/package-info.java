/** SPIFFE IDs and trust domains: parsing, validation, the mesh's identity shapes. */
@NullMarked
package io.raftmesh.ca.identity;

import org.jspecify.annotations.NullMarked;
