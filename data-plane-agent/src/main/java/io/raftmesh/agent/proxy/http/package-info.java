/**
 * HTTP/1.1 and HTTP/2 proxying: listeners, request exchanges, retries and upstream connection
 * pools.
 */
@NullMarked
package io.raftmesh.agent.proxy.http;

import org.jspecify.annotations.NullMarked;
