/**
 * The mesh configuration: resource keys, validation with field paths, the YAML form people write,
 * and the ConfigService that stores resources through the replicated store.
 */
@NullMarked
package io.raftmesh.server.config;

import org.jspecify.annotations.NullMarked;
