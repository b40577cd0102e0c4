package io.twingress.api;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.event.DeadLetters;
import io.twingress.event.EgressSettings;
import io.twingress.event.EndpointSpec;
import io.twingress.event.EventRoute;
import io.twingress.store.DeadLetterRow;

/**
 * The egress management operations, with the data plane's face (api-version, error body, list shape): ADT's
 * {@code /eventroutes}, and {@code /endpoints} shaped like ADT's endpoint resource, with each endpoint's dead
 * letters under {@code /endpoints/{name}/deadletters} and the actions {@code deadletters:replay} and
 * {@code deadletters:purge}.
 */
public final class EgressApi {

    /** ADT pages event routes by 10 by default; a client may ask for up to this many. */
    static final int MAX_PAGE = 100;
    /** The most dead letters one replay or purge call handles; a client calls again for the rest. */
    static final int MAX_ACTION = 10_000;

    private final EgressSettings settings;
    private final DeadLetters deadLetters;

    public EgressApi(EgressSettings settings, DeadLetters deadLetters) {
        this.settings = settings;
        this.deadLetters = deadLetters;
    }

    // endpoints

    public void putEndpoint(Exchange exchange) {
        EndpointSpec spec = settings.putEndpoint(name(exchange), ApiSupport.body(exchange));
        ApiSupport.reply(exchange, 200, spec.toResource(), Map.of());
    }

    public void getEndpoint(Exchange exchange) {
        ApiSupport.reply(exchange, 200, settings.endpoint(name(exchange)).toResource(), Map.of());
    }

    public void listEndpoints(Exchange exchange) {
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        String after = after(exchange);
        List<EndpointSpec> page = settings.endpoints(after, size + 1);
        List<JsonNode> items = new ArrayList<>();
        page.stream().limit(size).forEach(e -> items.add(e.toResource()));
        ApiSupport.page(exchange, items, page.size() > size
                ? ApiSupport.encodeToken(exchange, page.get(size - 1).name()) : null);
    }

    public void deleteEndpoint(Exchange exchange) {
        settings.deleteEndpoint(name(exchange));
        ApiSupport.noContent(exchange, Map.of());
    }

    // event routes

    public void putRoute(Exchange exchange) {
        settings.putRoute(ApiRequest.of(exchange).segment(1), ApiSupport.body(exchange));
        ApiSupport.noContent(exchange, Map.of());
    }

    public void getRoute(Exchange exchange) {
        ApiSupport.reply(exchange, 200, settings.route(ApiRequest.of(exchange).segment(1)).toJson(), Map.of());
    }

    public void listRoutes(Exchange exchange) {
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        List<EventRoute> page = settings.routes(after(exchange), size + 1);
        List<JsonNode> items = new ArrayList<>();
        page.stream().limit(size).forEach(r -> items.add(r.toJson()));
        ApiSupport.page(exchange, items, page.size() > size
                ? ApiSupport.encodeToken(exchange, page.get(size - 1).id()) : null);
    }

    public void deleteRoute(Exchange exchange) {
        settings.deleteRoute(ApiRequest.of(exchange).segment(1));
        ApiSupport.noContent(exchange, Map.of());
    }

    // dead letters

    public void listDeadLetters(Exchange exchange) {
        requireSegment(exchange, "deadletters");
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        String[] token = ApiSupport.continuation(exchange, 1);
        long afterId = token == null ? 0 : ApiSupport.tokenNumber(token[0]);
        List<DeadLetterRow> rows = deadLetters.list(name(exchange), afterId, size + 1);
        List<JsonNode> items = new ArrayList<>();
        rows.stream().limit(size).forEach(r -> items.add(deadLetter(r)));
        ApiSupport.page(exchange, items, rows.size() > size
                ? ApiSupport.encodeToken(exchange, Long.toString(rows.get(size - 1).id())) : null);
    }

    /** {@code GET /endpoints/{name}/deadletters/{eventId}}. */
    public void getDeadLetter(Exchange exchange) {
        requireSegment(exchange, "deadletters");
        ApiSupport.reply(exchange, 200, deadLetter(deadLetters.get(name(exchange), ApiRequest.of(exchange)
                .segment(3))), Map.of());
    }

    /** {@code POST /endpoints/{name}/deadletters:replay} or {@code :purge}, for all or for {@code eventIds}. */
    public void deadLetterAction(Exchange exchange) {
        String action = ApiSupport.deadLetterAction("/endpoints/" + name(exchange) + "/",
                ApiRequest.of(exchange).segment(2));
        Set<String> eventIds = eventIds(exchange);
        int count = action.equals("deadletters:replay") ? deadLetters.replay(name(exchange), eventIds, MAX_ACTION)
                : deadLetters.purge(name(exchange), eventIds, MAX_ACTION);
        ApiSupport.reply(exchange, 200, Json.object().put("count", count), Map.of());
    }

    /** The dead letters a replay or purge names ({@link ApiSupport#actionIds}), or null for all of them. */
    private static Set<String> eventIds(Exchange exchange) {
        JsonNode ids = ApiSupport.actionIds(exchange, "eventIds", MAX_ACTION);
        if (ids == null) {
            return null;
        }
        Set<String> found = new LinkedHashSet<>();
        for (JsonNode id : ids) {
            if (!id.isTextual()) {
                throw AdtError.INVALID_ARGUMENT.with("eventIds must hold strings.");
            }
            found.add(id.asText());
        }
        return found;
    }

    private static ObjectNode deadLetter(DeadLetterRow row) {
        ObjectNode json = Json.object();
        json.put("eventId", row.eventId());
        json.put("reason", row.reason());
        json.put("attempts", row.attempts());
        json.put("lastAttemptTime", row.lastAttempt());
        json.set("event", Json.parse(row.event()));
        return json;
    }

    private static String name(Exchange exchange) {
        return ApiRequest.of(exchange).segment(1);
    }

    private static void requireSegment(Exchange exchange, String expected) {
        String segment = ApiRequest.of(exchange).segment(2);
        if (!expected.equals(segment)) {
            throw AdtError.NOT_FOUND.with("There is no resource /endpoints/{name}/" + segment + ".");
        }
    }

    private static String after(Exchange exchange) {
        String[] token = ApiSupport.continuation(exchange, 1);
        return token == null ? null : token[0];
    }
}
