package io.twingress.ingest;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.store.TwinStore;

/**
 * Forgets ingested message ids once they are older than the retention window, so that the duplicate check does not
 * grow the store by a row per message forever. A resend older than the window is applied again.
 */
public final class DedupPruner {

    private static final Logger LOG = LoggerFactory.getLogger(DedupPruner.class);
    /** Rows deleted per write unit, so that other writers get the store between batches. */
    static final int BATCH = 5_000;

    private final TwinStore store;
    private final Duration retention;
    private final Clock clock;

    public DedupPruner(TwinStore store, Duration retention, Clock clock) {
        if (retention.isNegative() || retention.isZero()) {
            throw new IllegalArgumentException("the message id retention must be positive, not " + retention);
        }
        this.store = store;
        this.retention = retention;
        this.clock = clock;
    }

    /** Deletes every message id recorded before now minus the retention; returns how many. */
    public int prune() {
        Instant before = clock.instant().minus(retention);
        int total = 0;
        int deleted;
        do {
            deleted = store.write(tx -> tx.pruneSeen(before, BATCH));
            total += deleted;
        } while (deleted == BATCH);
        if (total > 0) {
            LOG.info("Forgot {} message ids recorded before {}", total, before);
        }
        return total;
    }
}
