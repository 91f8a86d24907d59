package io.raftmesh.agent.proxy.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.raftmesh.agent.proxy.config.FaultConfig;
import io.raftmesh.agent.proxy.config.RetryConfig;
import io.raftmesh.agent.proxy.core.DestinationState;
import io.raftmesh.agent.proxy.lb.Cluster;
import io.raftmesh.agent.proxy.lb.UpstreamHost;
import io.raftmesh.agent.proxy.metrics.AccessLog;
import io.raftmesh.agent.proxy.metrics.EdgeMetrics;
import io.raftmesh.agent.proxy.resilience.Backoff;
import io.raftmesh.agent.proxy.resilience.CircuitBreaker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;

/**
 * One request/response exchange through the proxy, from the downstream request head to the end of
 * both bodies. It runs entirely on the downstream channel's event loop (upstream leases are on the
 * same loop), so it has no locks.
 *
 * <p>Flow: admit (circuit breaker, retry-budget deposit, overall timeout, fault injection) → an
 * attempt picks a target and acquires a lease → the head and body stream to the lease while the
 * body (up to a limit) is also kept for replay → the response head either triggers a retry
 * (retriable status, budget left, body replayable) or is committed and streamed downstream → when
 * both bodies end, the exchange records metrics and the access log line and frees the downstream
 * for the next request. Bodies stream in both directions with backpressure: a side that cannot
 * write stops the other side reading.
 */
// Netty write/close futures are not awaited: their failures reach the pipeline as channelInactive
// or exceptionCaught, which end the exchange through onDownstreamClosed / onUpstreamClosed.
@SuppressWarnings("FutureReturnValueIgnored")
final class Exchange {
  /** The side the request came from. */
  interface Downstream {
    /** The downstream channel (an HTTP/1.1 connection or an HTTP/2 stream). */
    Channel channel();

    /** Whether the downstream is an HTTP/2 stream. */
    boolean isH2();

    /** The exchange ended; the downstream may take its next request. */
    void exchangeDone(Exchange e);
  }

  /** Picks where an attempt goes. */
  interface TargetPicker {
    /** A target avoiding {@code previous} if possible, or null when there is none. */
    @Nullable Target pick(@Nullable UpstreamHost previous) throws SSLException;
  }

  /**
   * Where one attempt goes.
   *
   * @param source the pool to lease from
   * @param host the mesh endpoint, or null for the local application
   */
  record Target(StreamSource source, @Nullable UpstreamHost host) {}

  /** Per-exchange settings the listener decides. */
  record Plan(
      String direction,
      @Nullable String source,
      String destination,
      EdgeMetrics edge,
      TargetPicker picker,
      @Nullable Cluster cluster,
      @Nullable DestinationState protection,
      RetryConfig retry,
      long timeoutNanos,
      @Nullable FaultConfig fault,
      @Nullable String traceId,
      int retryBufferBytes) {}

  private final Downstream downstream;
  private final Channel dch;
  private final HttpRequest head;
  private final String method;
  private final String path;
  private final Plan plan;
  private final boolean bodyless;
  private final long startNanos = System.nanoTime();
  private final long startMillis = System.currentTimeMillis();

  private @Nullable List<HttpContent> replay = new ArrayList<>(2);
  private int replayBytes;
  private final ArrayDeque<HttpContent> waiting = new ArrayDeque<>(2);
  private boolean requestComplete;
  private @Nullable Attempt attempt;
  private @Nullable UpstreamHost lastHost;
  private int attempts;
  private int retries;
  private boolean committed;
  private boolean responseComplete;
  private boolean finished;
  private int status;
  private @Nullable String flags;
  private boolean breakerHeld;
  private @Nullable ScheduledFuture<?> overallTimer;

  /**
   * An exchange for {@code head}; {@code bodyless} when the request is known to carry no body (it
   * then goes upstream as one HEADERS frame, or one HTTP/1.1 message without framing).
   */
  Exchange(Downstream downstream, HttpRequest head, Plan plan, boolean bodyless) {
    this.bodyless = bodyless;
    this.requestComplete = bodyless;
    this.downstream = downstream;
    this.dch = downstream.channel();
    this.head = head;
    this.method = head.method().name();
    this.path = head.uri();
    this.plan = plan;
  }

  boolean isFinished() {
    return finished;
  }

  boolean requestComplete() {
    return requestComplete;
  }

  /** Admits the request and starts the first attempt. */
  void start() {
    DestinationState p = plan.protection();
    if (p != null) {
      String refused = p.breaker().tryAcquireRequest();
      if (refused != null) {
        p.overflowed(refused);
        respondLocal(503, CircuitBreaker.OVERFLOW_HEADER, refused);
        return;
      }
      breakerHeld = true;
      p.retryBudget().deposit();
    }
    if (plan.timeoutNanos() > 0) {
      overallTimer =
          dch.eventLoop()
              .schedule(this::onOverallTimeout, plan.timeoutNanos(), TimeUnit.NANOSECONDS);
    }
    FaultConfig fault = plan.fault();
    if (fault != null) {
      ThreadLocalRandom rnd = ThreadLocalRandom.current();
      if (fault.abortStatus() > 0 && rnd.nextDouble() * 100 < fault.abortPercent()) {
        flags = "fault-abort";
        respondLocal(fault.abortStatus(), HeaderRules.ERROR, "fault-abort");
        return;
      }
      if (fault.delayNanos() > 0 && rnd.nextDouble() * 100 < fault.delayPercent()) {
        flags = "fault-delay";
        dch.eventLoop().schedule(this::startAttempt, fault.delayNanos(), TimeUnit.NANOSECONDS);
        return;
      }
    }
    startAttempt();
  }

  /** A piece of the request body from downstream; the exchange owns it. */
  void onRequestContent(HttpContent c) {
    if (finished || requestComplete) {
      c.release();
      return;
    }
    boolean last = c instanceof LastHttpContent;
    UpstreamLease lease = readyLease();
    List<HttpContent> r = replay;
    if (r != null && replayBytes + c.content().readableBytes() <= plan.retryBufferBytes()) {
      r.add(c);
      replayBytes += c.content().readableBytes();
      if (lease != null) {
        lease.channel().write(c.retainedDuplicate());
      }
    } else {
      if (r != null) {
        // Too large to replay: from now on the body streams without a copy and is not retried.
        replay = null;
        if (lease != null) {
          releaseAll(r);
        } else {
          waiting.addAll(r);
        }
      }
      if (lease != null) {
        lease.channel().write(c);
      } else {
        waiting.add(c);
        if (waiting.size() > 16) {
          dch.config().setAutoRead(false); // Resumed when a lease takes the queue.
        }
      }
    }
    if (lease != null && !lease.channel().isWritable()) {
      dch.config().setAutoRead(false);
    }
    if (last) {
      requestComplete = true;
      maybeFinish();
    }
  }

  /** Downstream read a batch: push what was written upstream. */
  void flushUpstream() {
    UpstreamLease lease = readyLease();
    if (lease != null) {
      lease.channel().flush();
    }
  }

  /** Downstream can take more: let the upstream read again. */
  void onDownstreamWritabilityChanged() {
    UpstreamLease lease = readyLease();
    if (lease != null && dch.isWritable()) {
      lease.channel().config().setAutoRead(true);
    }
  }

  /** The downstream went away: abandon everything. */
  void onDownstreamClosed() {
    if (finished) {
      return;
    }
    flags = flags == null ? "downstream-closed" : flags + ",downstream-closed";
    abandonAttempt();
    finish();
  }

  private @Nullable UpstreamLease readyLease() {
    Attempt a = attempt;
    return a == null ? null : a.lease;
  }

  private void startAttempt() {
    if (finished) {
      return;
    }
    attempts++;
    Target t;
    try {
      t = plan.picker().pick(lastHost);
    } catch (SSLException e) {
      respondLocal(503, HeaderRules.ERROR, "no-identity");
      return;
    }
    if (t == null) {
      respondLocal(503, HeaderRules.ERROR, "no-healthy-upstream");
      return;
    }
    Attempt a = new Attempt(t.host());
    attempt = a;
    lastHost = t.host();
    if (a.host != null) {
      a.host.requestStarted();
    }
    long perTry = plan.retry().perTryTimeoutNanos();
    if (perTry > 0) {
      a.timer = dch.eventLoop().schedule(() -> onAttemptTimeout(a), perTry, TimeUnit.NANOSECONDS);
    }
    t.source().acquire(a);
  }

  private void onAttemptTimeout(Attempt a) {
    if (a != attempt || a.headSeen || finished) {
      return;
    }
    recordOutcome(a, UpstreamHost.Outcome.SERVER_ERROR);
    endAttempt(a, false);
    if (!retry(RetryConfig.RetryOn.RESET)) {
      respondLocal(504, HeaderRules.ERROR, "per-try-timeout");
    }
  }

  private void onOverallTimeout() {
    if (finished) {
      return;
    }
    flags = "request-timeout";
    if (committed) {
      abortDownstream();
    } else {
      abandonAttempt();
      respondLocal(504, HeaderRules.ERROR, "request-timeout");
    }
  }

  /** Schedules another attempt if the policy, the budget and the body allow; true if it did. */
  private boolean retry(RetryConfig.RetryOn condition) {
    return plan.retry().retryOn().contains(condition) && scheduleRetry();
  }

  private boolean scheduleRetry() {
    RetryConfig rc = plan.retry();
    DestinationState p = plan.protection();
    if (committed || replay == null || attempts >= rc.attempts() || p == null) {
      return false;
    }
    if (!p.retryBudget().tryWithdraw()) {
      flags = "retry-budget-exhausted";
      return false;
    }
    retries++;
    p.retried();
    attempt = null;
    long delay = Backoff.delayNanos(retries, rc.backoffBaseNanos(), rc.backoffMaxNanos());
    if (delay <= 0) {
      startAttempt();
    } else {
      dch.eventLoop().schedule(this::startAttempt, delay, TimeUnit.NANOSECONDS);
    }
    return true;
  }

  private void recordOutcome(Attempt a, UpstreamHost.Outcome outcome) {
    Cluster c = plan.cluster();
    if (c != null && a.host != null) {
      c.recordOutcome(a.host, outcome);
    }
  }

  private void endAttempt(Attempt a, boolean reusable) {
    if (a.ended) {
      return;
    }
    a.ended = true;
    if (a.timer != null) {
      a.timer.cancel(false);
    }
    if (a.host != null) {
      a.host.requestFinished();
    }
    UpstreamLease lease = a.lease;
    if (lease != null) {
      lease.release(reusable);
    }
  }

  private void abandonAttempt() {
    Attempt a = attempt;
    if (a != null) {
      endAttempt(a, false);
    }
  }

  private void onResponseHead(Attempt a, HttpResponse r) {
    int code = r.status().code();
    if (code < 200) {
      ReferenceCountUtil.release(r); // 100 Continue and friends: the proxy does not relay them.
      return;
    }
    a.headSeen = true;
    if (a.host != null) {
      a.host.observeLatency(System.nanoTime() - a.startNanos);
    }
    recordOutcome(
        a, code >= 500 ? UpstreamHost.Outcome.SERVER_ERROR : UpstreamHost.Outcome.SUCCESS);
    if (!committed && retriable(r, code) && scheduleRetry()) {
      ReferenceCountUtil.release(r);
      endAttempt(a, false);
      return;
    }
    committed = true;
    status = code;
    if (a.timer != null) {
      a.timer.cancel(false);
    }
    boolean full = r instanceof FullHttpResponse;
    if (!downstream.isH2()) {
      HeaderRules.forH1(r, full);
    }
    dch.write(r);
    if (full) {
      onResponseComplete(a);
    }
  }

  private boolean retriable(HttpResponse r, int code) {
    RetryConfig rc = plan.retry();
    if (rc.retriesStatus(code)) {
      return true;
    }
    return rc.retryOn().contains(RetryConfig.RetryOn.RETRIABLE_STATUS_CODES)
        && r instanceof FullHttpResponse
        && "14".equals(r.headers().get("grpc-status"));
  }

  private void onResponseComplete(Attempt a) {
    a.responseDone = true;
    responseComplete = true;
    dch.flush();
    maybeFinish();
  }

  private void maybeFinish() {
    if (responseComplete && requestComplete && !finished) {
      finish();
    }
  }

  private void finish() {
    finished = true;
    if (overallTimer != null) {
      overallTimer.cancel(false);
    }
    Attempt a = attempt;
    if (a != null) {
      endAttempt(a, a.responseDone && requestComplete);
    }
    List<HttpContent> r = replay;
    if (r != null) {
      releaseAll(r);
      replay = null;
    }
    releaseAll(waiting);
    waiting.clear();
    DestinationState p = plan.protection();
    if (breakerHeld && p != null) {
      p.breaker().releaseRequest();
      breakerHeld = false;
    }
    long duration = System.nanoTime() - startNanos;
    plan.edge().recordRequest(status, duration);
    if (AccessLog.enabled()) {
      UpstreamHost h = lastHost;
      AccessLog.log(
          startMillis,
          plan.direction(),
          plan.traceId(),
          plan.source(),
          plan.destination(),
          method,
          path,
          status,
          duration,
          h == null ? null : h.hostPort(),
          retries,
          flags);
    }
    dch.config().setAutoRead(true);
    downstream.exchangeDone(this);
  }

  /** Answers from the proxy itself (errors, denials, overflow, faults) and ends the exchange. */
  void respondLocal(int code, CharSequence header, String reason) {
    if (finished) {
      return;
    }
    if (committed) {
      abortDownstream();
      return;
    }
    abandonAttempt();
    committed = true;
    responseComplete = true;
    status = code;
    byte[] body =
        (HttpResponseStatus.valueOf(code).reasonPhrase() + ": " + reason + "\n")
            .getBytes(StandardCharsets.UTF_8);
    ByteBuf content = dch.alloc().buffer(body.length).writeBytes(body);
    FullHttpResponse res =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(code), content);
    res.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.TEXT_PLAIN)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(header, reason);
    if (!requestComplete && !downstream.isH2()) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    if (!requestComplete && downstream.isH2()) {
      dch.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    } else {
      dch.writeAndFlush(res);
    }
    finish();
  }

  private void abortDownstream() {
    flags = flags == null ? "response-truncated" : flags + ",response-truncated";
    abandonAttempt();
    dch.close();
    if (!finished) {
      finish();
    }
  }

  private static void releaseAll(Iterable<HttpContent> contents) {
    for (HttpContent c : contents) {
      c.release();
    }
  }

  /** One try at one target. Callbacks for an attempt that is no longer current are ignored. */
  private final class Attempt implements ResponseListener {
    final @Nullable UpstreamHost host;
    final long startNanos = System.nanoTime();
    @Nullable UpstreamLease lease;
    @Nullable ScheduledFuture<?> timer;
    boolean ended;
    boolean headSeen;
    boolean responseDone;

    Attempt(@Nullable UpstreamHost host) {
      this.host = host;
    }

    private boolean stale() {
      return attempt != this || ended || finished;
    }

    @Override
    public void onAcquired(UpstreamLease l) {
      if (stale()) {
        l.release(false);
        return;
      }
      lease = l;
      Channel u = l.channel();
      if (bodyless) {
        u.writeAndFlush(
            new DefaultFullHttpRequest(
                head.protocolVersion(),
                head.method(),
                head.uri(),
                Unpooled.EMPTY_BUFFER,
                head.headers(),
                EmptyHttpHeaders.INSTANCE));
        return;
      }
      u.write(head);
      List<HttpContent> r = replay;
      if (r != null) {
        for (int i = 0; i < r.size(); i++) {
          u.write(r.get(i).retainedDuplicate());
        }
      } else {
        while (!waiting.isEmpty()) {
          u.write(waiting.poll());
        }
      }
      u.flush();
      dch.config().setAutoRead(u.isWritable());
    }

    @Override
    public void onAcquireFailed(AcquireFailure failure, String detail) {
      if (stale()) {
        return;
      }
      endAttempt(this, false);
      if (failure != AcquireFailure.CONNECT) {
        String limit =
            failure == AcquireFailure.MAX_PENDING
                ? CircuitBreaker.MAX_PENDING
                : CircuitBreaker.MAX_CONNECTIONS;
        DestinationState p = plan.protection();
        if (p != null) {
          p.overflowed(limit);
        }
        respondLocal(503, CircuitBreaker.OVERFLOW_HEADER, limit);
        return;
      }
      recordOutcome(this, UpstreamHost.Outcome.CONNECT_FAILURE);
      if (!retry(RetryConfig.RetryOn.CONNECT_FAILURE)) {
        respondLocal(503, HeaderRules.ERROR, "connect-failure");
      }
    }

    @Override
    public void onResponseObject(HttpObject msg) {
      if (stale() || responseDone) {
        ReferenceCountUtil.release(msg);
        return;
      }
      if (msg instanceof HttpResponse) {
        onResponseHead(this, (HttpResponse) msg);
      } else if (committed && msg instanceof HttpContent) {
        dch.write(msg);
        if (msg instanceof LastHttpContent) {
          onResponseComplete(this);
        }
      } else {
        ReferenceCountUtil.release(msg);
      }
      UpstreamLease l = lease;
      if (l != null && !dch.isWritable()) {
        l.channel().config().setAutoRead(false);
      }
    }

    @Override
    public void onResponseReadComplete() {
      if (!stale()) {
        dch.flush();
      }
    }

    @Override
    public void onUpstreamClosed(@Nullable Throwable cause) {
      if (stale() || responseDone) {
        return;
      }
      endAttempt(this, false);
      if (committed) {
        abortDownstream();
        return;
      }
      recordOutcome(this, UpstreamHost.Outcome.SERVER_ERROR);
      if (!retry(RetryConfig.RetryOn.RESET)) {
        respondLocal(502, HeaderRules.ERROR, "upstream-reset");
      }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
      if (!stale() && writable) {
        dch.config().setAutoRead(true);
      }
    }
  }
}
