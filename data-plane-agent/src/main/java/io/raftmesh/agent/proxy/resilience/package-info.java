/** Retry budgets, backoff, circuit breaking and outlier detection limits for upstream calls. */
@NullMarked
package io.raftmesh.agent.proxy.resilience;

import org.jspecify.annotations.NullMarked;
