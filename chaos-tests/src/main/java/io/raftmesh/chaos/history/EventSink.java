package io.raftmesh.chaos.history;

import java.io.IOException;

/** Receives each event as the recorder appends it, in index order, one call at a time. */
public interface EventSink extends AutoCloseable {
  /** Takes one event; called with the recorder's lock held, so it must not call back. */
  void accept(Event event) throws IOException;

  @Override
  void close() throws IOException;
}
