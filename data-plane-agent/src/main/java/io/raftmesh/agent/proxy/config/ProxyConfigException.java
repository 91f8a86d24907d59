package io.raftmesh.agent.proxy.config;

/**
 * The mesh resources given to the proxy cannot be applied. The message names the resource key, the
 * field and why ({@code /traffic-route/shop/checkout: routes[0].split: weights add up to 90
 * (expected: 100)}); the agent sends it in its NACK. The proxy keeps its previous config.
 */
public final class ProxyConfigException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message naming what was wrong. */
  public ProxyConfigException(String message) {
    super(message);
  }
}
