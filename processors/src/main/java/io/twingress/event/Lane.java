package io.twingress.event;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The units of one batch for one subject, sent one after another in commit order. A unit that fails the batch (its
 * dead letter could not be kept, or the route stopped before it was delivered) halts its lane: the units behind it
 * are not sent ahead of it, and the whole batch is read again later.
 */
public final class Lane {

    private final List<DeliveryUnit> units;
    private final AtomicBoolean halted = new AtomicBoolean();

    public Lane(List<DeliveryUnit> units) {
        this.units = List.copyOf(units);
    }

    public List<DeliveryUnit> getUnits() {
        return units;
    }

    /** False once a unit of the lane failed the batch. */
    public boolean isOpen() {
        return !halted.get();
    }

    void halt() {
        halted.set(true);
    }
}
