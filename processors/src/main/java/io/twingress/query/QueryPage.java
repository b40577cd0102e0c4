package io.twingress.query;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One page of query results as ADT returns it: {@code value}, an opaque {@code continuationToken} (null on the
 * last page) and the {@code query-charge} in query units.
 */
public record QueryPage(List<JsonNode> items, String continuationToken, double charge) {

    public QueryPage {
        items = List.copyOf(items);
    }
}
