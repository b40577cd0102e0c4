package io.twingress.twin;

import java.util.List;
import java.util.UUID;

import io.twingress.store.OutboxEvent;
import io.twingress.store.OutboxPosition;
import io.twingress.store.TwinStore;

/** Change logs for tests that need a unit's changes to write outbox events, as the egress outbox does. */
final class TestChangeLogs {

    private TestChangeLogs() {
    }

    /** Adds each change to {@code changes} (null: none kept) and appends one event for it, subject its twin. */
    static ChangeLog withEvents(List<Change> changes) {
        return (tx, change) -> {
            if (changes != null) {
                changes.add(change);
            }
            tx.appendEvent(OutboxEvent.of(0L, UUID.randomUUID().toString(), "Test." + change.kind(), "test",
                    change.twinId(), "2026-12-03T00:00:00Z", null, null, "{}", null));
        };
    }

    /** How many events the store's outbox holds. */
    static int events(TwinStore store) {
        return store.read(tx -> tx.eventsAfter(OutboxPosition.START, 100_000)).size();
    }
}
