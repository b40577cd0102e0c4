package io.twingress.event;

import java.time.Instant;
import java.util.List;

/**
 * What one send carries to an endpoint: a batch of events for an endpoint that takes batches (Kafka), else one.
 * The unit is retried, and dead-lettered, as a whole.
 */
public record DeliveryUnit(String endpoint, List<Delivery> deliveries) {

    /** The unit may be retried until its first event expires. */
    public Instant expiresAt() {
        return deliveries.stream().map(Delivery::expiresAt).min(Instant::compareTo).orElseThrow();
    }
}
