/** gRPC plumbing shared by every service: error mapping to Status and unary call completion. */
@NullMarked
package io.raftmesh.server.rpc;

import org.jspecify.annotations.NullMarked;
