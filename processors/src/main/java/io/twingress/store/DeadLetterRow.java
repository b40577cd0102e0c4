package io.twingress.store;

/**
 * A CloudEvent an endpoint could not deliver: the event as it was sent (structured JSON), why it failed, how often
 * it was tried and when last. {@code id} is assigned by the store and orders an endpoint's dead letters.
 */
public record DeadLetterRow(long id, String endpoint, String eventId, String event, String reason, int attempts,
        String lastAttempt) {
}
