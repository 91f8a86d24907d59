package io.raftmesh.agent.proxy.config;

import java.util.Set;

/**
 * A route's retry policy.
 *
 * @param attempts total attempts including the first (1..10)
 * @param perTryTimeoutNanos timeout of one attempt; 0 for the route's timeout
 * @param retryOn the conditions that cause a retry
 * @param backoffBaseNanos base of the exponential backoff
 * @param backoffMaxNanos cap of the backoff
 */
public record RetryConfig(
    int attempts,
    long perTryTimeoutNanos,
    Set<RetryOn> retryOn,
    long backoffBaseNanos,
    long backoffMaxNanos) {

  /** No retries. */
  public static final RetryConfig NONE = new RetryConfig(1, 0, Set.of(), 0, 0);

  /** Copies the condition set. */
  public RetryConfig {
    retryOn = Set.copyOf(retryOn);
  }

  /** Conditions that make a failed attempt retriable. */
  public enum RetryOn {
    /** The connection to the endpoint could not be made. */
    CONNECT_FAILURE("connect-failure"),
    /** The connection or stream was reset before a response, or the attempt timed out. */
    RESET("reset"),
    /** Any 5xx answer. */
    STATUS_5XX("5xx"),
    /** 502, 503 or 504. */
    GATEWAY_ERROR("gateway-error"),
    /** 503 only. */
    STATUS_503("503"),
    /** gRPC status UNAVAILABLE (14) in a trailers-only answer. */
    RETRIABLE_STATUS_CODES("retriable-status-codes");

    private final String wireName;

    RetryOn(String wireName) {
      this.wireName = wireName;
    }

    /** The name used in {@code RetryPolicy.retry_on}. */
    public String wireName() {
      return wireName;
    }
  }

  /** Whether an answer with {@code status} is retriable under this policy. */
  public boolean retriesStatus(int status) {
    if (status < 500) {
      return false;
    }
    if (retryOn.contains(RetryOn.STATUS_5XX)) {
      return true;
    }
    if (status == 503 && retryOn.contains(RetryOn.STATUS_503)) {
      return true;
    }
    return (status == 502 || status == 503 || status == 504)
        && retryOn.contains(RetryOn.GATEWAY_ERROR);
  }
}
