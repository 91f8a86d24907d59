package io.raftmesh.agent.proxy.http;

/** Where an attempt gets its upstream lease: an HTTP/2 or an HTTP/1.1 pool. */
interface StreamSource {
  /** Calls exactly one of the listener's onAcquired or onAcquireFailed, now or later. */
  void acquire(ResponseListener listener);

  /** Stops lending; connections close when their requests finish. */
  void close();
}
