/** The control server's Prometheus metrics and the HTTP endpoint that serves them. */
@NullMarked
package io.raftmesh.server.metrics;

import org.jspecify.annotations.NullMarked;
