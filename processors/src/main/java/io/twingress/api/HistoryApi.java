package io.twingress.api;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import io.twingress.AdtError;
import io.twingress.Instants;
import io.twingress.Json;
import io.twingress.history.DataHistory;
import io.twingress.history.HistoryConnection;
import io.twingress.history.HistoryQuery;
import io.twingress.model.Rfc3339;
import io.twingress.query.QueryEngine;
import io.twingress.query.QueryException;
import io.twingress.query.QueryPage;
import io.twingress.store.HistoryRows;

/**
 * Data history: {@code /historyconnections/{name}} shaped like ADT's data history connection, and
 * {@code POST /history/query}, the equivalent of Azure Data Explorer's ADT query plugin in one call: the twins named
 * in {@code twinIds} or selected by an ADT {@code query} (its {@code tid} column, or {@code $dtId}), their
 * {@code properties} (all if absent) from {@code from} to {@code to}, raw or downsampled by {@code interval} with an
 * {@code aggregate}; pages continue with {@code continuationToken}, as {@code POST /query}.
 */
public final class HistoryApi {

    static final int MAX_PAGE = 1000;
    /** The most twins one history request reads, as named or as its query selects them. */
    static final int MAX_TWINS = 1000;
    /** The fields a history query may have. */
    private static final List<String> QUERY_FIELDS = List.of("connection", "table", "twinIds", "query", "properties",
            "from", "to", "interval", "aggregate", "continuationToken");
    /** How far apart from and to may be in a downsampled query: its buckets are counted in nanoseconds (292 years). */
    private static final Duration MAX_DOWNSAMPLED_RANGE = Duration.ofDays(200L * 365);

    private final DataHistory history;
    private final HistoryQuery query;
    private final QueryEngine engine;

    public HistoryApi(DataHistory history, HistoryQuery query, QueryEngine engine) {
        this.history = history;
        this.query = query;
        this.engine = engine;
    }

    public void putConnection(Exchange exchange) {
        ApiSupport.reply(exchange, 200, history.put(name(exchange), ApiSupport.body(exchange)).toResource(), Map.of());
    }

    public void getConnection(Exchange exchange) {
        ApiSupport.reply(exchange, 200, history.get(name(exchange)).toResource(), Map.of());
    }

    public void listConnections(Exchange exchange) {
        int size = ApiSupport.pageSize(exchange, 100);
        String[] after = ApiSupport.continuation(exchange, 1);
        List<HistoryConnection> page = history.list(after == null ? null : after[0], size + 1);
        List<JsonNode> items = new ArrayList<>();
        page.stream().limit(size).forEach(c -> items.add(c.toResource()));
        ApiSupport.page(exchange, items, page.size() > size
                ? ApiSupport.encodeToken(exchange, page.get(size - 1).name()) : null);
    }

    public void deleteConnection(Exchange exchange) {
        history.delete(name(exchange));
        ApiSupport.noContent(exchange, Map.of());
    }

    public void query(Exchange exchange) {
        JsonNode body = ApiSupport.body(exchange);
        if (!body.isObject()) {
            throw AdtError.INVALID_ARGUMENT.with("The body must be a JSON object with twinIds or query, from and to.");
        }
        // a misspelled field (propertys) must not widen the answer silently
        body.fieldNames().forEachRemaining(field -> {
            if (!QUERY_FIELDS.contains(field)) {
                throw AdtError.INVALID_ARGUMENT.with(field + " is not a field of a history query; the fields are "
                        + String.join(", ", QUERY_FIELDS) + ".");
            }
        });
        for (String field : List.of("connection", "table", "aggregate", "interval", "continuationToken")) {
            if (body.hasNonNull(field) && !body.get(field).isTextual()) {
                throw AdtError.INVALID_ARGUMENT.with(field + " must be a string.");
            }
        }
        String connection = body.path("connection").asText("default");
        HistoryRows.ValueTable table = table(history.get(connection), body.get("table"));
        Instant from = time(body, "from");
        Instant to = time(body, "to");
        if (!from.isBefore(to)) {
            throw AdtError.INVALID_ARGUMENT.with("from must be before to.");
        }
        Set<String> twins = twins(body);
        Set<String> properties = strings(body, "properties");
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        String token = body.path("continuationToken").asText(null);
        ObjectNode result = Json.object();
        if (body.hasNonNull("aggregate") && !body.hasNonNull("interval")) {
            throw AdtError.INVALID_ARGUMENT.with("aggregate needs an interval to aggregate over, e.g. \"interval\":"
                    + " \"PT1H\"; without one the rows are returned as they are.");
        }
        if (body.hasNonNull("interval")) {
            if (Duration.between(from, to).compareTo(MAX_DOWNSAMPLED_RANGE) > 0) {
                throw AdtError.INVALID_ARGUMENT.with("A query with an interval covers at most 200 years from from to"
                        + " to.");
            }
            Duration interval = interval(body);
            HistoryQuery.Aggregate aggregate = aggregate(body);
            List<ObjectNode> rows = query.downsampled(table, connection, twins, properties, from, to, interval, aggregate);
            long offset = token == null ? 0 : ApiSupport.tokenNumber(ApiSupport.decodeToken(exchange, token, 1)[0]);
            rows.stream().skip(offset).limit(size).forEach(result.putArray("value")::add);
            result.put("continuationToken", offset + size < rows.size()
                    ? ApiSupport.encodeToken(exchange, Long.toString(offset + size)) : null);
        } else {
            long after = token == null ? 0 : ApiSupport.tokenNumber(ApiSupport.decodeToken(exchange, token, 1)[0]);
            HistoryQuery.RawPage page = query.raw(table, connection, twins, properties, from, to, after, size);
            page.rows().forEach(result.putArray("value")::add);
            result.put("continuationToken", page.nextAfterId() < 0 ? null
                    : ApiSupport.encodeToken(exchange, Long.toString(page.nextAfterId())));
        }
        if (!result.has("value")) {
            result.putArray("value");
        }
        ApiSupport.reply(exchange, 200, result, Map.of());
    }

    /** The connection's table a query reads: its property table unless its telemetry table is named. */
    private static HistoryRows.ValueTable table(HistoryConnection connection, JsonNode name) {
        if (connection.kafka() != null) {
            throw AdtError.INVALID_ARGUMENT.with("History connection " + connection.name() + " sends its rows to Kafka"
                    + " topic " + connection.kafka().connection().topic() + "; query them where they are ingested"
                    + " (Azure Data Explorer), or query a connection on the Embedded sink.");
        }
        if (name == null || name.isNull() || name.asText().equals(connection.propertyTable())) {
            return HistoryRows.ValueTable.PROPERTY;
        }
        if (name.asText().equals(connection.telemetryTable())) {
            return HistoryRows.ValueTable.TELEMETRY;
        }
        throw AdtError.INVALID_ARGUMENT.with("table must name one of connection " + connection.name() + "'s value"
                + " tables: " + connection.propertyTable() + (connection.telemetryTable() == null ? ""
                : " or " + connection.telemetryTable()) + ".");
    }

    /** The twins named, or those the ADT query selects (its tid column, else $dtId). */
    private Set<String> twins(JsonNode body) {
        boolean named = body.has("twinIds");
        boolean selected = body.has("query");
        if (named == selected) {
            throw AdtError.INVALID_ARGUMENT.with("Give the twins either as twinIds (an array of ids) or as query"
                    + " (an ADT query whose tid column, or $dtId, names them), not both or neither.");
        }
        if (named) {
            Set<String> ids = strings(body, "twinIds");
            if (ids.isEmpty() || ids.size() > MAX_TWINS) {
                throw AdtError.INVALID_ARGUMENT.with("twinIds must name 1 to " + MAX_TWINS + " twins.");
            }
            return ids;
        }
        if (!body.get("query").isTextual()) {
            throw AdtError.INVALID_ARGUMENT.with("query must be a string in ADT's query language.");
        }
        Set<String> ids = new LinkedHashSet<>();
        int rowsWithoutTwin = 0;
        String continuation = null;
        String text = body.get("query").asText();
        do {
            QueryPage page;
            try {
                page = engine.execute(continuation == null ? text : null, continuation, QueryEngine.MAX_PAGE_SIZE);
            } catch (QueryException e) {
                throw AdtError.SQL_QUERY_ERROR.with(e.getMessage());
            }
            for (JsonNode item : page.items()) {
                JsonNode id = twinId(item);
                if (id.isTextual()) {
                    ids.add(id.asText());
                } else {
                    rowsWithoutTwin++;
                }
            }
            if (ids.size() > MAX_TWINS) {
                throw AdtError.INVALID_ARGUMENT.with("The query selects more than " + MAX_TWINS + " twins.");
            }
            continuation = page.continuationToken();
        } while (continuation != null);
        if (ids.isEmpty() && rowsWithoutTwin > 0) {
            throw AdtError.INVALID_ARGUMENT.with("The query's rows name no twin: select a tid column (SELECT T.$dtId AS"
                    + " tid FROM DIGITALTWINS T ...), $dtId, or whole twins (SELECT T FROM DIGITALTWINS T ...).");
        }
        return ids;
    }

    /** The twin a query row names: its tid, its $dtId, or the $dtId of the one twin it holds (SELECT T ...). */
    private static JsonNode twinId(JsonNode row) {
        if (row.has("tid")) {
            return row.get("tid");
        }
        if (row.has("$dtId")) {
            return row.get("$dtId");
        }
        return row.size() == 1 ? row.elements().next().path("$dtId") : MissingNode.getInstance();
    }

    private static Set<String> strings(JsonNode body, String field) {
        JsonNode node = body.get(field);
        Set<String> values = new LinkedHashSet<>();
        if (node == null || node.isNull()) {
            return values;
        }
        if (!node.isArray()) {
            throw AdtError.INVALID_ARGUMENT.with(field + " must be an array of strings.");
        }
        for (JsonNode v : node) {
            if (!v.isTextual()) {
                throw AdtError.INVALID_ARGUMENT.with(field + " must be an array of strings.");
            }
            values.add(v.asText());
        }
        return values;
    }

    private static Instant time(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual()) {
            throw AdtError.INVALID_ARGUMENT.with(field + " is required: an RFC 3339 date-time such as"
                    + " 2026-01-01T00:00:00Z.");
        }
        try {
            // RFC 3339 allows a lower-case t and z; only stored times must be upper case (for every client SDK)
            // a leap second is the last nanosecond before the next minute, as the rows stamped with one are
            return Instants.parse(Rfc3339.toInstant(value.asText().toUpperCase(Locale.ROOT)));
        } catch (RuntimeException e) {
            throw AdtError.INVALID_ARGUMENT.with(field + " '" + value.asText() + "' is not an RFC 3339 date-time"
                    + " such as 2026-01-01T00:00:00Z.");
        }
    }

    private static Duration interval(JsonNode body) {
        try {
            Duration d = Duration.parse(body.get("interval").asText());
            if (d.compareTo(Duration.ofSeconds(1)) < 0 || d.compareTo(MAX_DOWNSAMPLED_RANGE) > 0) {
                throw new IllegalArgumentException();
            }
            return d;
        } catch (RuntimeException e) {
            throw AdtError.INVALID_ARGUMENT.with("interval must be an ISO 8601 duration from one second to 200"
                    + " years, such as PT1H.");
        }
    }

    private static HistoryQuery.Aggregate aggregate(JsonNode body) {
        String name = body.path("aggregate").asText("avg");
        try {
            return HistoryQuery.Aggregate.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw AdtError.INVALID_ARGUMENT.with("aggregate '" + name + "' is not one of avg, min, max, sum, count,"
                    + " first, last.");
        }
    }

    private static String name(Exchange exchange) {
        return ApiRequest.of(exchange).segment(1);
    }
}
