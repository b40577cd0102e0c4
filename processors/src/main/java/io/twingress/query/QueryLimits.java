package io.twingress.query;

import java.time.Duration;
import java.util.Objects;

/**
 * How much work one query request may do before it is refused with a {@link QueryException}.
 *
 * @param costBudget twins and relationships a request may read, plus the bindings a JOIN or MATCH may try
 * @param timeout    how long a request may run; ADT allows 60 s, we refuse sooner, since a request this long holds a
 *                   worker and a store connection that other clients are waiting for
 */
public record QueryLimits(long costBudget, Duration timeout) {

    /**
     * The cost budget is what a multi-hop MATCH was already allowed to expand; 10 s is far more than any query
     * within that budget needs on the benchmark graph, so only a stalled store or a pathological query reaches it.
     */
    public static final QueryLimits DEFAULT = new QueryLimits(200_000, Duration.ofSeconds(10));

    public QueryLimits {
        Objects.requireNonNull(timeout, "timeout");
        if (costBudget < 1) {
            throw new IllegalArgumentException("costBudget must be at least 1 but is " + costBudget);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive but is " + timeout);
        }
    }
}
