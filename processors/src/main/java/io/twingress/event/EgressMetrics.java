package io.twingress.event;

import java.time.Duration;

/** What the relay reports per endpoint; the application publishes it (Micrometer). */
public interface EgressMetrics {

    EgressMetrics NONE = new EgressMetrics() {
    };

    /** Events an endpoint acknowledged, each with its delay from commit to acknowledgement. */
    default void delivered(String endpoint, int events, Duration[] delays) {
    }

    /** An attempt to send failed and will be retried, or dead-lettered. */
    default void failed(String endpoint) {
    }

    default void deadLettered(String endpoint, int events) {
    }
}
