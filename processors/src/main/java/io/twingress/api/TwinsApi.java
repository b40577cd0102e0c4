package io.twingress.api;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import io.twingress.twin.TwinService;

/** ADT's {@code /digitaltwins/{id}} and component operations. */
public final class TwinsApi {

    private final TwinService twins;

    public TwinsApi(TwinService twins) {
        this.twins = twins;
    }

    public void get(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        ObjectNode twin = twins.getTwin(id(exchange));
        ApiSupport.reply(exchange, 200, twin, Map.of("ETag", twin.get("$etag").asText()));
    }

    public void put(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        TwinService.Written written = twins.putTwin(id(exchange), ApiSupport.body(exchange),
                ApiSupport.header(exchange, "If-None-Match"));
        ApiSupport.reply(exchange, 200, written.body(), Map.of("ETag", written.etag()));
    }

    public void patch(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        String etag = twins.patchTwin(id(exchange), ApiSupport.body(exchange), ApiSupport.header(exchange, "If-Match"));
        ApiSupport.noContent(exchange, Map.of("ETag", etag));
    }

    public void delete(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        twins.deleteTwin(id(exchange), ApiSupport.header(exchange, "If-Match"));
        ApiSupport.noContent(exchange, Map.of());
    }

    public void getComponent(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        ObjectNode component = twins.getComponent(id(exchange), ApiSupport.header(exchange, "componentPath"));
        ApiSupport.reply(exchange, 200, component, Map.of());
    }

    public void patchComponent(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        String etag = twins.patchComponent(id(exchange), ApiSupport.header(exchange, "componentPath"),
                ApiSupport.body(exchange), ApiSupport.header(exchange, "If-Match"));
        ApiSupport.noContent(exchange, Map.of("ETag", etag));
    }

    static String id(Exchange exchange) {
        return ApiSupport.header(exchange, "id");
    }
}
