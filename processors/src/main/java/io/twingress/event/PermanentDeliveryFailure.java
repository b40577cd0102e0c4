package io.twingress.event;

/**
 * An endpoint refused an event for good (an HTTP 400, say): sending it again cannot help, so it is dead-lettered
 * at once. Endpoint routes throw it for the answers they know to be final, with what the endpoint answered; that is
 * cut to {@link DeadLetters#MAX_REASON} characters, since a receiver's reply may be megabytes, and the message goes
 * into the log and the dead letter. A message that ends in {@code ": "} (a route's
 * {@code "refused with HTTP 400: ${body}"} over an empty reply) ends before it.
 */
public final class PermanentDeliveryFailure extends RuntimeException {

    public PermanentDeliveryFailure(String message) {
        super(DeadLetters.shortened(message != null && message.endsWith(": ")
                ? message.substring(0, message.length() - 2) : message));
    }
}
