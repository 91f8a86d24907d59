/** The xDS benchmark: simulated ADS clients of a running cluster (ops/bench/xds.sh). */
@NullMarked
package io.raftmesh.bench.xds;

import org.jspecify.annotations.NullMarked;
