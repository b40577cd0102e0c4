package io.twingress.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * The work one query request has done against its {@link QueryLimits}. Every twin or relationship read and every
 * binding a JOIN or MATCH tries costs one unit, whatever the query's shape, so a chain of JOINs over a dense graph
 * is stopped by the same rule as a multi-hop MATCH. The clock is read at every charge: a charge is at most one
 * store read or one binding, so the time limit is overshot by no more than that.
 */
final class Budget {

    private final QueryLimits limits;
    private final Clock clock;
    private final Instant deadline;
    private final int position;
    private final String advice;
    private long cost;
    private long reads;

    Budget(QueryLimits limits, Clock clock, Instant started, Query query) {
        this.limits = limits;
        this.clock = clock;
        this.deadline = started.plus(limits.timeout());
        // the work of a JOIN or MATCH is the pattern's; a scan's is the whole query's
        this.position = query.pattern() != null ? query.pattern().position() : 1;
        this.advice = query.pattern() != null
                ? "a narrower query: fewer JOINs or hops, relationship names, fewer $dtId values, or conditions on"
                        + " the twins nearest the one the $dtId filter pins"
                : query.relationships()
                        ? "a narrower query: a condition on R.$sourceId or R.$targetId"
                        : "a narrower query: a $dtId filter or IS_OF_MODEL";
    }

    /** Charges rows read from the {@link GraphSource}. */
    void read(int rows) {
        reads += rows;
        charge(rows);
    }

    /** Charges one binding tried by a pattern, or one relationship followed by a multi-hop walk. */
    void expand() {
        charge(1);
    }

    /** Rows read so far, for the query charge. */
    long reads() {
        return reads;
    }

    private void charge(int units) {
        cost += units;
        if (cost > limits.costBudget()) {
            throw QueryException.limit(position, "cost", "the query reads or expands more than "
                    + limits.costBudget() + " twins and relationships in one request; expected " + advice);
        }
        if (clock.instant().isAfter(deadline)) {
            throw QueryException.limit(position, "time", "the query runs longer than " + describe(limits.timeout())
                    + " in one request; expected " + advice);
        }
    }

    private static String describe(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }
}
