package io.twingress.api;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import io.twingress.twin.RelationshipOperations;
import io.twingress.twin.TwinOperations;

/** ADT's relationship operations under {@code /digitaltwins/{id}}. */
public final class RelationshipsApi {

    static final int MAX_PAGE = 1000;

    private final RelationshipOperations relationships;

    public RelationshipsApi(RelationshipOperations relationships) {
        this.relationships = relationships;
    }

    public void get(Exchange exchange) {
        ObjectNode rel = relationships.get(TwinsApi.id(exchange), relId(exchange));
        ApiSupport.reply(exchange, 200, rel, Map.of("ETag", rel.get("$etag").asText()));
    }

    public void put(Exchange exchange) {
        TwinOperations.Written written = relationships.put(TwinsApi.id(exchange), relId(exchange),
                ApiSupport.body(exchange), ApiRequest.of(exchange).header("If-None-Match"), TwinsApi.traceparent(exchange));
        ApiSupport.reply(exchange, 200, written.body(), Map.of("ETag", written.etag()));
    }

    public void patch(Exchange exchange) {
        String etag = relationships.patch(TwinsApi.id(exchange), relId(exchange), ApiSupport.body(exchange),
                ApiRequest.of(exchange).header("If-Match"), TwinsApi.traceparent(exchange));
        ApiSupport.noContent(exchange, Map.of("ETag", etag));
    }

    public void delete(Exchange exchange) {
        relationships.delete(TwinsApi.id(exchange), relId(exchange), ApiRequest.of(exchange).header("If-Match"),
                TwinsApi.traceparent(exchange));
        ApiSupport.noContent(exchange, Map.of());
    }

    public void list(Exchange exchange) {
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        String[] token = ApiSupport.continuation(exchange, 1);
        String after = token == null ? null : token[0];
        // one extra row tells whether another page follows
        List<ObjectNode> rows = relationships.listOutgoing(TwinsApi.id(exchange),
                ApiRequest.of(exchange).query("relationshipName"), after, size + 1);
        boolean more = rows.size() > size;
        List<ObjectNode> page = more ? rows.subList(0, size) : rows;
        String next = more ? ApiSupport.encodeToken(exchange, page.get(size - 1).get("$relationshipId").asText())
                : null;
        ApiSupport.page(exchange, page, next);
    }

    public void listIncoming(Exchange exchange) {
        int size = ApiSupport.pageSize(exchange, MAX_PAGE);
        String[] token = ApiSupport.continuation(exchange, 2);
        String[] after = token == null ? new String[] {null, null} : token;
        List<ObjectNode> rows = relationships.listIncoming(TwinsApi.id(exchange), after[0], after[1], size + 1);
        boolean more = rows.size() > size;
        List<ObjectNode> page = more ? rows.subList(0, size) : rows;
        ObjectNode last = page.isEmpty() ? null : page.get(page.size() - 1);
        ApiSupport.page(exchange, page, more ? ApiSupport.encodeToken(exchange, last.get("$sourceId").asText(),
                last.get("$relationshipId").asText()) : null);
    }

    /** {@code /digitaltwins/{id}/relationships/{relationshipId}} */
    private static String relId(Exchange exchange) {
        return ApiRequest.of(exchange).segment(3);
    }
}
