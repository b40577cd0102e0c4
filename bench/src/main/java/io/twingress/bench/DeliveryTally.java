package io.twingress.bench;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * What one receiver got since the last {@link #take()}: how many events, and each one's delay from its CloudEvent
 * {@code time} (the outbox row's time, taken in the write unit just before the commit) to its arrival. Receivers and
 * the application share this JVM's clock, so the difference is a delay, not a clock skew.
 */
final class DeliveryTally {

    /** A window's events, their delays, and the events whose {@code time} could not be read. */
    record Taken(long events, Stats delays, long untimed) {
    }

    private long events;
    private long untimed;
    private Stats delays = new Stats();
    private long total;

    /** Counts one event that arrived now, carrying {@code ceTime} (null if it had none). */
    void arrived(String ceTime) {
        Instant now = Instant.now();
        long delay = -1;
        if (ceTime != null) {
            try {
                Instant committed = OffsetDateTime.parse(ceTime).toInstant();
                delay = (now.getEpochSecond() - committed.getEpochSecond()) * 1_000_000_000L
                        + (now.getNano() - committed.getNano());
            } catch (DateTimeParseException e) {
                delay = -1;
            }
        }
        synchronized (this) {
            events++;
            total++;
            if (delay < 0) {
                untimed++;
            } else {
                delays.add(delay);
            }
        }
    }

    /** The window since the last take, and a new window from now. */
    synchronized Taken take() {
        Taken taken = new Taken(events, delays, untimed);
        events = 0;
        untimed = 0;
        delays = new Stats();
        return taken;
    }

    /** Every event counted since this tally was made. */
    synchronized long total() {
        return total;
    }
}
