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
