/** PEM reading and writing for certificates, chains, PKCS#8 keys and CSRs. */
@NullMarked
package io.raftmesh.ca.pem;

import org.jspecify.annotations.NullMarked;
