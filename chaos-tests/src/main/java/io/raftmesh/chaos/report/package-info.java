/** Run folders: histories, nemesis logs, verdicts, summary lines and SVG plots. */
@NullMarked
package io.raftmesh.chaos.report;

import org.jspecify.annotations.NullMarked;
