package io.twingress.store;

/**
 * Where one consumer of the outbox stands: every event up to {@code position} is done with. {@code owner} is the
 * instance that holds the consumer until {@code leaseUntil} (epoch milliseconds); another instance may take it
 * over only after that.
 */
public record OutboxCursor(String consumer, OutboxPosition position, String owner, long leaseUntil) {
}
