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
import io.twingress.ingest.IngressDeadLetters;
import io.twingress.ingest.IngressPipeline;
import io.twingress.store.IngressDeadLetterRow;

/**
 * Ingress over HTTP and its dead letters: the replies of the device telemetry path and the webhooks (204 once the
 * message is committed, 400 with the reason when it was dead-lettered), and {@code /ingress/deadletters} with the
 * actions {@code deadletters:replay} and {@code deadletters:purge}.
 */
public final class IngressApi {

    static final int MAX_PAGE = 100;
    static final int MAX_ACTION = 10_000;

    private final IngressDeadLetters deadLetters;

    public IngressApi(IngressDeadLetters deadLetters) {
        this.deadLetters = deadLetters;
    }

    /**
     * After the pipeline: 204, or why the message went to the dead letters: 404 {@code DigitalTwinNotFound} for a twin
     * that does not exist, 400 {@code ValidationFailed} for a value the model refuses, 400 {@code InvalidArgument}
     * for the rest (not JSON, nothing matched).
     */
    public void received(Exchange exchange) {
        List<?> refusals = exchange.getProperty(IngressPipeline.REFUSALS, List.class);
        if (refusals != null && !refusals.isEmpty()) {
            AdtError error = exchange.getProperty(IngressPipeline.REFUSED_ERROR, AdtError.VALIDATION_FAILED,
                    AdtError.class);
            throw error.with("The message was not applied and is kept in the ingress dead letters: "
                    + refusals.get(0));
        }
        ApiSupport.noContent(exchange, Map.of());
    }

    public void list(Exchange exchange) {
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        String[] token = ApiSupport.continuation(exchange, 1);
        long after = token == null ? 0 : ApiSupport.tokenNumber(token[0]);
        List<IngressDeadLetterRow> rows = deadLetters.list(after, size + 1);
        List<JsonNode> items = new ArrayList<>();
        rows.stream().limit(size).forEach(r -> items.add(json(r)));
        ApiSupport.page(exchange, items, rows.size() > size
                ? ApiSupport.encodeToken(exchange, Long.toString(rows.get(size - 1).id())) : null);
    }

    public void get(Exchange exchange) {
        ApiSupport.reply(exchange, 200, json(deadLetters.get(parseId(ApiRequest.of(exchange).segment(2)))), Map.of());
    }

    /**
     * {@code POST /ingress/deadletters:replay} or {@code :purge}, for all or for {@code {"ids": [...]}}: how many
     * letters it took ({@code count}), and for a replay what became of their messages.
     */
    public void action(Exchange exchange) {
        String action = ApiSupport.deadLetterAction("/ingress/", ApiRequest.of(exchange).segment(1));
        Set<Long> ids = ids(exchange);
        if (action.equals("deadletters:purge")) {
            ApiSupport.reply(exchange, 200, Json.object().put("count", deadLetters.purge(ids, MAX_ACTION)), Map.of());
            return;
        }
        IngressDeadLetters.Replayed replayed = deadLetters.replay(ids, MAX_ACTION);
        ApiSupport.reply(exchange, 200, Json.object().put("count", replayed.count()).put("applied", replayed.applied())
                .put("duplicates", replayed.duplicates()).put("deadLettered", replayed.deadLettered()), Map.of());
    }

    /** The dead letters a replay or purge names ({@link ApiSupport#actionIds}), or null for all of them. */
    private static Set<Long> ids(Exchange exchange) {
        JsonNode ids = ApiSupport.actionIds(exchange, "ids", MAX_ACTION);
        if (ids == null) {
            return null;
        }
        Set<Long> found = new LinkedHashSet<>();
        ids.forEach(id -> {
            if (!id.isIntegralNumber() || !id.canConvertToLong()) {
                throw AdtError.INVALID_ARGUMENT.with("ids must hold the dead letters' ids, whole numbers; "
                        + Json.write(id) + " is not one.");
            }
            found.add(id.asLong());
        });
        return found;
    }

    /** A dead letter's id as the path gives it, written as the list writes it ({@code 55}, not {@code 055}). */
    private static long parseId(String text) {
        try {
            long id = Long.parseLong(text);
            if (Long.toString(id).equals(text)) {
                return id;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw AdtError.DEAD_LETTER_NOT_FOUND.with("There is no ingress dead letter " + text + ".");
    }

    private static ObjectNode json(IngressDeadLetterRow row) {
        ObjectNode json = Json.object();
        json.put("id", row.id());
        json.put("source", row.source());
        json.put("messageId", row.messageId());
        json.put("deviceId", row.deviceId());
        json.put("receivedTime", row.received());
        json.put("reason", row.reason());
        json.put("replays", row.replays());
        json.put("lastReplayedTime", row.lastReplayed());
        json.set("message", Json.parse(row.message()));
        return json;
    }
}
