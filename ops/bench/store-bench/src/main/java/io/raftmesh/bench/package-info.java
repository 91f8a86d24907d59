/** The store benchmark: a node launcher and a load generator driving raftmesh or etcd. */
@NullMarked
package io.raftmesh.bench;

import org.jspecify.annotations.NullMarked;
