package io.twingress.event;

import java.time.Clock;
import java.time.Duration;

import io.twingress.store.OutboxPosition;
import io.twingress.store.TwinStore;

/**
 * One instance's hold on an outbox cursor that is read outside the unit that moves it (an endpoint's delivery, a
 * history sink's): instances sharing a PostgreSQL take turns under the cursor's lease, and a dead instance's cursor
 * is taken over when its lease runs out. While held, {@link #position()} is where the cursor stands.
 */
public final class CursorLease {

    private final TwinStore store;
    private final String consumer;
    private final String instanceId;
    private final Clock clock;
    private final Duration lease;
    private volatile OutboxPosition position;
    private volatile long until;

    public CursorLease(TwinStore store, String consumer, String instanceId, Clock clock, Duration lease) {
        this.store = store;
        this.consumer = consumer;
        this.instanceId = instanceId;
        this.clock = clock;
        this.lease = lease;
    }

    /**
     * True if this instance holds the lease, taking it (the cursor is made at the outbox's end if new) or renewing
     * it once half of it has passed.
     */
    public boolean hold() {
        long now = clock.millis();
        if (until - now > lease.toMillis() / 2) {
            return true;
        }
        OutboxPosition stored = store.write(tx -> {
            tx.createCursor(consumer, tx.outboxEnd());
            if (!tx.leaseCursor(consumer, instanceId, now, now + lease.toMillis())) {
                return null;
            }
            return tx.cursor(consumer).position();
        });
        if (stored == null) {
            until = 0;
            return false;
        }
        if (until <= now || position == null) {
            // newly taken (or taken back): the store's position is the truth
            position = stored;
        }
        until = now + lease.toMillis();
        return true;
    }

    /** Where the cursor stands; valid while held. */
    public OutboxPosition position() {
        return position;
    }

    public boolean held() {
        return until > clock.millis();
    }

    /** Moves the cursor to {@code end}; false if another instance took the cursor over meanwhile. */
    public boolean advance(OutboxPosition end) {
        boolean held = store.write(tx -> tx.advanceCursor(consumer, instanceId, end));
        if (held) {
            position = end;
        } else {
            until = 0;
        }
        return held;
    }

    /** Renews a held lease, so that a long retry does not lose the cursor to another instance. */
    public void renew() {
        long now = clock.millis();
        if (until > now) {
            boolean held = store.write(tx -> tx.leaseCursor(consumer, instanceId, now, now + lease.toMillis()));
            until = held ? now + lease.toMillis() : 0;
        }
    }

    /** Lets go of a held lease, so that another instance may take the cursor at once. */
    public void release() {
        if (until > clock.millis()) {
            store.write(tx -> {
                tx.releaseCursor(consumer, instanceId);
                return null;
            });
        }
        until = 0;
    }
}
