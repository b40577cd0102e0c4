package io.twingress.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import io.twingress.Json;
import io.twingress.store.StoredRelationship;
import io.twingress.twin.TwinService;

/** ADT's relationship operations under {@code /digitaltwins/{id}}. */
public final class RelationshipsApi {

    static final int MAX_PAGE = 1000;

    private final TwinService twins;

    public RelationshipsApi(TwinService twins) {
        this.twins = twins;
    }

    public void get(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        ObjectNode rel = twins.getRelationship(TwinsApi.id(exchange), relId(exchange));
        ApiSupport.reply(exchange, 200, rel, Map.of("ETag", rel.get("$etag").asText()));
    }

    public void put(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        TwinService.Written written = twins.putRelationship(TwinsApi.id(exchange), relId(exchange),
                ApiSupport.body(exchange), ApiSupport.header(exchange, "If-None-Match"));
        ApiSupport.reply(exchange, 200, written.body(), Map.of("ETag", written.etag()));
    }

    public void patch(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        String etag = twins.patchRelationship(TwinsApi.id(exchange), relId(exchange), ApiSupport.body(exchange),
                ApiSupport.header(exchange, "If-Match"));
        ApiSupport.noContent(exchange, Map.of("ETag", etag));
    }

    public void delete(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        twins.deleteRelationship(TwinsApi.id(exchange), relId(exchange), ApiSupport.header(exchange, "If-Match"));
        ApiSupport.noContent(exchange, Map.of());
    }

    public void list(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        String token = ApiSupport.header(exchange, "continuationToken");
        String after = token == null ? null : ApiSupport.decodeToken(token, 1)[0];
        // one extra row tells whether another page follows
        List<ObjectNode> rows = twins.listRelationships(TwinsApi.id(exchange),
                ApiSupport.header(exchange, "relationshipName"), after, size + 1);
        boolean more = rows.size() > size;
        List<ObjectNode> page = more ? rows.subList(0, size) : rows;
        String next = more ? ApiSupport.encodeToken(page.get(size - 1).get("$relationshipId").asText()) : null;
        ApiSupport.page(exchange, page, next);
    }

    public void listIncoming(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        String token = ApiSupport.header(exchange, "continuationToken");
        String[] after = token == null ? new String[] {null, null} : ApiSupport.decodeToken(token, 2);
        List<StoredRelationship> rows = twins.listIncoming(TwinsApi.id(exchange), after[0], after[1], size + 1);
        boolean more = rows.size() > size;
        List<StoredRelationship> page = more ? rows.subList(0, size) : rows;
        List<JsonNode> items = new ArrayList<>();
        for (StoredRelationship r : page) {
            items.add(Json.object()
                    .put("$relationshipId", r.id())
                    .put("$sourceId", r.sourceId())
                    .put("$relationshipName", r.name())
                    .put("$relationshipLink", "/digitaltwins/" + r.sourceId() + "/relationships/" + r.id()));
        }
        StoredRelationship last = page.isEmpty() ? null : page.get(page.size() - 1);
        ApiSupport.page(exchange, items, more ? ApiSupport.encodeToken(last.sourceId(), last.id()) : null);
    }

    private static String relId(Exchange exchange) {
        return ApiSupport.header(exchange, "relationshipId");
    }
}
