/** TLS material on disk (certificate chain, key, trust bundle) and the contexts built from it. */
@NullMarked
package io.raftmesh.server.tls;

import org.jspecify.annotations.NullMarked;
