/** Root and issuing CAs, CSR checks and leaf certificate issuance. */
@NullMarked
package io.raftmesh.ca.issue;

import org.jspecify.annotations.NullMarked;
