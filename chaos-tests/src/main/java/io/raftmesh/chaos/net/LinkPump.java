package io.raftmesh.chaos.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Moves bytes in one direction of a bridged connection. Every chunk read gets a departure time
 * ({@code now + delay ± jitter}, never before the previous chunk's, plus its transmission time
 * under a throughput limit) and waits in a FIFO queue until then, so order is kept. Reads stop when
 * the queue is large, when the sink cannot take more, or while stalled: TCP flow control then
 * pushes back on the sender instead of the bridge buffering without bound.
 *
 * <p>Only ever used on its connection's event loop.
 */
final class LinkPump {
  /** Bytes queued per direction before reads stop. */
  static final long HIGH_WATER = 1L << 20;

  private record Chunk(ByteBuf buf, long departure) {}

  private final BridgeConnection conn;
  private final ArrayDeque<Chunk> queue = new ArrayDeque<>();
  private @Nullable Channel source;
  private @Nullable Channel sink;
  private @Nullable ScheduledFuture<?> timer;
  private long queuedBytes;
  private long lastDeparture;
  private boolean sourceEnded;

  LinkPump(BridgeConnection conn, @Nullable Channel source) {
    this.conn = conn;
    this.source = source;
  }

  void source(Channel newSource) {
    this.source = newSource;
  }

  void sinkReady(Channel newSink) {
    this.sink = newSink;
  }

  void onRead(ByteBuf buf) {
    LinkFaults f = conn.bridge().faults();
    int n = buf.readableBytes();
    if (f.data() == LinkFaults.Data.BLACKHOLE || conn.isClosed()) {
      buf.release();
      conn.lostBytes(n);
      return;
    }
    long now = System.nanoTime();
    long departure = Math.max(now + delayNanos(f), lastDeparture);
    if (f.bytesPerSecond() > 0) {
      departure += n * 1_000_000_000L / f.bytesPerSecond();
    }
    lastDeparture = departure;
    queue.add(new Chunk(buf, departure));
    queuedBytes += n;
    kick();
  }

  void sourceEnded() {
    sourceEnded = true;
    kick();
  }

  /** Forwards what is due, schedules the rest, and decides whether the source may be read. */
  void kick() {
    if (conn.isClosed()) {
      return;
    }
    LinkFaults f = conn.bridge().faults();
    if (f.data() == LinkFaults.Data.BLACKHOLE) {
      discardQueued();
    }
    Channel out = sink;
    boolean canWrite = out != null && out.isActive() && out.isWritable();
    if (f.data() == LinkFaults.Data.FORWARD && out != null && canWrite) {
      long now = System.nanoTime();
      boolean wrote = false;
      Chunk head = queue.peek();
      while (head != null && head.departure() - now <= 0 && out.isWritable()) {
        queue.poll();
        queuedBytes -= head.buf().readableBytes();
        conn.forwarded(head.buf());
        out.write(head.buf()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        wrote = true;
        head = queue.peek();
      }
      if (wrote) {
        out.flush();
      }
      if (head != null && timer == null && out.isWritable()) {
        long wait = Math.max(0, head.departure() - now);
        timer =
            out.eventLoop()
                .schedule(
                    () -> {
                      timer = null;
                      kick();
                    },
                    wait,
                    TimeUnit.NANOSECONDS);
      }
    }
    if (sourceEnded && queue.isEmpty()) {
      conn.close();
      return;
    }
    Channel in = source;
    if (in != null && !sourceEnded) {
      boolean read =
          f.data() != LinkFaults.Data.STALL
              && queuedBytes < HIGH_WATER
              && (out == null || out.isWritable());
      if (in.config().isAutoRead() != read) {
        in.config().setAutoRead(read);
      }
    }
  }

  private void discardQueued() {
    for (Chunk c = queue.poll(); c != null; c = queue.poll()) {
      conn.lostBytes(c.buf().readableBytes());
      c.buf().release();
    }
    queuedBytes = 0;
  }

  void releaseAll() {
    for (Chunk c = queue.poll(); c != null; c = queue.poll()) {
      c.buf().release();
    }
    queuedBytes = 0;
    ScheduledFuture<?> t = timer;
    if (t != null) {
      t.cancel(false);
      timer = null;
    }
  }

  private long delayNanos(LinkFaults f) {
    long base = f.delay().toNanos();
    long j = f.jitter().toNanos();
    if (j > 0) {
      base += conn.random().nextLong(-j, j + 1);
    }
    return Math.max(0, base);
  }
}
