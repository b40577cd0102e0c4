package io.twingress.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The work one query request has done against its {@link QueryLimits}, and where it could stop.
 *
 * <p>Every twin or relationship read and every binding a JOIN or MATCH tries costs one unit, whatever the query's
 * shape; past the cost budget or the time limit the query is refused. The clock is read at every charge, and a
 * charge is at most one store read or one binding, so the time limit is overshot by no more than that.
 *
 * <p>Producers report each key they have finished ({@link #passed}) and ask before every read how many rows it may
 * hold ({@link #allow}). Once the scan budget is spent, that question ends the page by throwing {@link Pause}, and
 * the continuation resumes after the last key passed. Until the request has passed a key, reads go on in small
 * steps, so every page makes progress; what they can cost is bounded by the cost budget.
 */
final class Budget {

    /** Rows a read may hold once the scan budget is spent and the request has not yet passed a key. */
    private static final int PAST_BUDGET_READ = 16;

    /** Unwinds a producer to end the page; never leaves the engine. */
    static final class Pause extends RuntimeException {
        private Pause() {
            super(null, null, false, false);
        }
    }

    private final QueryLimits limits;
    private final Clock clock;
    private final Instant deadline;
    private final int position;
    private final String advice;
    private long cost;
    private long reads;
    private List<String> resumeKey;
    private boolean paused;

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

    /**
     * How many rows the next read may hold, at most {@code wanted}, before it is made; at least {@code atLeast}
     * rows of room must be left for the read to be worth making.
     *
     * @throws Pause when the scan budget is spent and the page can end at a key already passed
     */
    int allow(int wanted, int atLeast) {
        long room = limits.scanBudget() - reads;
        if (room >= atLeast) {
            return (int) Math.min(wanted, room);
        }
        if (resumeKey != null) {
            paused = true;
            throw new Pause();
        }
        return Math.min(wanted, PAST_BUDGET_READ);
    }

    int allow(int wanted) {
        return allow(wanted, 1);
    }

    /** As {@link #allow(int)}, without ending the page: for sizing work whose reads will ask again. */
    int room(int wanted) {
        long room = limits.scanBudget() - reads;
        return (int) Math.min(wanted, room > 0 ? room : PAST_BUDGET_READ);
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

    /** Every row whose key is {@code key}, starts with it or sorts before it is finished. */
    void passed(List<String> key) {
        resumeKey = key;
    }

    /** True when the page ended because the scan budget was spent. */
    boolean paused() {
        return paused;
    }

    /** Where the next page resumes when {@link #paused()}. */
    List<String> resumeKey() {
        return resumeKey;
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
