/**
 * The system under test as a whole: a {@code Cluster} of real control servers started from the
 * built distribution, with the controls the nemesis needs and mutual-TLS clients for workloads.
 */
@NullMarked
package io.raftmesh.chaos.cluster;

import org.jspecify.annotations.NullMarked;
