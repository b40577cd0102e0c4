package io.twingress.api;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.query.QueryEngine;
import io.twingress.query.QueryException;
import io.twingress.query.QueryPage;

/** ADT's {@code POST /query}: a query or a continuation token in, one page and a {@code query-charge} out. */
public final class QueryApi {

    /** ADT's limit on a query's text (reference §7); a longer one is refused before it is parsed. */
    public static final int MAX_QUERY_LENGTH = 8_000;

    private final QueryEngine engine;

    public QueryApi(QueryEngine engine) {
        this.engine = engine;
    }

    public void query(Exchange exchange) {
        JsonNode body = ApiSupport.body(exchange);
        String query = text(body, "query");
        String token = text(body, "continuationToken");
        if (token != null) {
            // as ADT does: a client (the Python SDK) sends the query again with the token, which decides the page
            query = null;
        }
        if (query != null && query.length() > MAX_QUERY_LENGTH) {
            throw AdtError.SQL_QUERY_ERROR.with("The query is " + query.length() + " characters long; at most "
                    + MAX_QUERY_LENGTH + " are allowed.");
        }
        if ((query == null) == (token == null)) {
            throw AdtError.SQL_QUERY_ERROR.with("The body must hold \"query\" or \"continuationToken\", as a"
                    + " string.");
        }
        QueryPage page;
        try {
            page = engine.execute(query, token, ApiSupport.pageSize(exchange, QueryEngine.MAX_PAGE_SIZE));
        } catch (QueryException e) {
            throw AdtError.SQL_QUERY_ERROR.with(e.getMessage());
        }
        ObjectNode result = Json.object();
        page.items().forEach(result.putArray("value")::add);
        if (page.continuationToken() == null) {
            result.putNull("continuationToken");
        } else {
            result.put("continuationToken", page.continuationToken());
        }
        ApiSupport.reply(exchange, 200, result, Map.of("query-charge", String.format(java.util.Locale.ROOT, "%.2f",
                page.charge())));
    }

    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && value.isTextual() ? value.asText() : null;
    }
}
