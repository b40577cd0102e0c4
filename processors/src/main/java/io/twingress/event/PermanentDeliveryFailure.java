package io.twingress.event;

/**
 * An endpoint refused an event for good (an HTTP 400, say): sending it again cannot help, so it is dead-lettered
 * at once. Endpoint routes throw it for the answers they know to be final.
 */
public final class PermanentDeliveryFailure extends RuntimeException {

    public PermanentDeliveryFailure(String message) {
        super(message);
    }
}
