package io.twingress.query;

import java.time.Duration;
import java.util.Objects;

/**
 * How much work one query request may do.
 *
 * @param scanBudget twins and relationships a request reads before its page ends early, with a continuation token
 *                   that resumes exactly there; the page may then hold fewer items than asked, even none
 * @param costBudget twins and relationships a request may read plus the bindings a JOIN or MATCH may try; beyond
 *                   it the query is refused, since the work left cannot be split across pages
 * @param timeout    how long a request may run before the query is refused
 */
public record QueryLimits(int scanBudget, long costBudget, Duration timeout) {

    /**
     * Reading 10,000 rows is 40-50 ms of store and parsing work on the benchmark graph (BENCHMARKS.md, "Where the
     * time goes"). A full page ends early only when fewer than one twin in ten read matches (the benchmark's Device
     * scan, a third matching, reads 3,000 per page), and then a client paging on pays little for the extra requests.
     * The cost budget is what a multi-hop MATCH was already allowed to expand. ADT allows 60 s; we refuse after
     * 10 s, far more than any query within these budgets needs, because a request that long holds a worker and a
     * store connection.
     */
    public static final QueryLimits DEFAULT = new QueryLimits(10_000, 200_000, Duration.ofSeconds(10));

    public QueryLimits {
        Objects.requireNonNull(timeout, "timeout");
        if (scanBudget < 1) {
            throw new IllegalArgumentException("scanBudget must be at least 1 but is " + scanBudget);
        }
        // a smaller cost budget would refuse plain scans that the scan budget could have split into pages
        if (costBudget < scanBudget) {
            throw new IllegalArgumentException("costBudget must be at least scanBudget (" + scanBudget + ") but is "
                    + costBudget);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive but is " + timeout);
        }
    }
}
