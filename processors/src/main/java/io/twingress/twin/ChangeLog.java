package io.twingress.twin;

import io.twingress.store.StoreTx;

/**
 * Where a write unit reports its changes, inside the unit: what the log writes commits with the change or not at
 * all. The egress outbox is one.
 */
@FunctionalInterface
public interface ChangeLog {

    /** Records nothing. */
    ChangeLog NONE = (tx, change) -> {
    };

    void record(StoreTx tx, Change change);

    /** This log, then {@code next}. */
    default ChangeLog then(ChangeLog next) {
        return (tx, change) -> {
            record(tx, change);
            next.record(tx, change);
        };
    }
}
