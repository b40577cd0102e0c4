package io.twingress.event;

import java.util.List;

import io.twingress.store.OutboxCursor;
import io.twingress.store.OutboxPosition;
import io.twingress.store.TwinStore;

/**
 * Deletes the outbox events every consumer is done with, in bounded batches so that no write waits long behind it.
 * With no consumer at all, every event is done with.
 */
public final class OutboxPruner {

    private final TwinStore store;
    private final int batchSize;

    public OutboxPruner(TwinStore store, int batchSize) {
        this.store = store;
        this.batchSize = batchSize;
    }

    /** Returns how many events were deleted; stops after {@code maxBatches} batches, the next run goes on. */
    public int prune(int maxBatches) {
        OutboxPosition upTo = store.read(tx -> {
            List<OutboxCursor> cursors = tx.cursors();
            OutboxPosition lowest = tx.outboxHead();
            for (OutboxCursor cursor : cursors) {
                if (cursor.position().compareTo(lowest) < 0) {
                    lowest = cursor.position();
                }
            }
            return lowest;
        });
        int total = 0;
        for (int i = 0; i < maxBatches; i++) {
            int deleted = store.write(tx -> tx.pruneEvents(upTo, batchSize));
            total += deleted;
            if (deleted < batchSize) {
                break;
            }
        }
        return total;
    }
}
