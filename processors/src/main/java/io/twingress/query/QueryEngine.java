package io.twingress.query;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Runs ADT queries ({@code POST /query}) over a {@link GraphSource}: parses and checks the query, plans from the
 * WHERE clause (pinned {@code $dtId}s, IS_OF_MODEL) and returns one page with a keyset continuation token. Each
 * request works within {@link QueryLimits}: a page ends early, with a token, once the request has read its scan
 * budget, as ADT's pages may. Stateless and thread-safe: everything a later page needs travels in the token.
 */
public final class QueryEngine {

    /** ADT's largest query page; also the page size when the client does not ask for one. */
    public static final int MAX_PAGE_SIZE = 1000;

    private final GraphSource source;
    private final ObjectMapper mapper;
    private final QueryLimits limits;
    private final Clock clock;

    /**
     * An engine that ends pages at {@code limits}' scan budget and refuses requests beyond its cost budget or time
     * limit, timed by {@code clock}.
     */
    public QueryEngine(GraphSource source, ObjectMapper mapper, QueryLimits limits, Clock clock) {
        this.source = Objects.requireNonNull(source, "source");
        this.mapper = Objects.requireNonNull(mapper, "mapper");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * One page of results. Exactly one of {@code query} (first page) and {@code continuationToken} (later
     * pages) is given, as in ADT's request body. {@code maxItems} below 1 means {@link #MAX_PAGE_SIZE}; larger
     * values are capped to it.
     *
     * @throws QueryException when the query or token is invalid, breaks one of ADT's limits or one of ours
     */
    public QueryPage execute(String query, String continuationToken, int maxItems) {
        Instant started = clock.instant();
        if ((query == null) == (continuationToken == null)) {
            throw new QueryException(1, "Invalid request at position 1: expected exactly one of query"
                    + " and continuationToken");
        }
        Cursor cursor = query != null ? new Cursor(query, null, 0) : Cursor.decode(mapper, continuationToken);
        Query checked = QueryAnalyzer.analyze(Parser.parse(cursor.query()));
        int pageSize = maxItems < 1 ? MAX_PAGE_SIZE : Math.min(maxItems, MAX_PAGE_SIZE);
        Budget budget = new Budget(limits, clock, started, checked);
        return new QueryRun(checked, source, mapper, cursor, pageSize, budget).page();
    }
}
