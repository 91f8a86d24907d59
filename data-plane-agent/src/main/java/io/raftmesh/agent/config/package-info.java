/** The agent's configuration: the YAML file, its validated records and duration text. */
@NullMarked
package io.raftmesh.agent.config;

import org.jspecify.annotations.NullMarked;
