package io.twingress.api;

import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import io.twingress.twin.TwinOperations;

/** ADT's {@code /digitaltwins/{id}} and {@code /digitaltwins/{id}/components/{componentPath}} operations. */
public final class TwinsApi {

    private final TwinOperations twins;

    public TwinsApi(TwinOperations twins) {
        this.twins = twins;
    }

    public void get(Exchange exchange) {
        ObjectNode twin = twins.get(id(exchange));
        ApiSupport.reply(exchange, 200, twin, Map.of("ETag", twin.get("$etag").asText()));
    }

    public void put(Exchange exchange) {
        TwinOperations.Written written = twins.put(id(exchange), ApiSupport.body(exchange),
                ApiRequest.of(exchange).header("If-None-Match"), traceparent(exchange));
        ApiSupport.reply(exchange, 200, written.body(), Map.of("ETag", written.etag()));
    }

    public void patch(Exchange exchange) {
        String etag = twins.patch(id(exchange), ApiSupport.body(exchange), ApiRequest.of(exchange).header("If-Match"),
                traceparent(exchange));
        ApiSupport.noContent(exchange, Map.of("ETag", etag));
    }

    public void delete(Exchange exchange) {
        twins.delete(id(exchange), ApiRequest.of(exchange).header("If-Match"), traceparent(exchange));
        ApiSupport.noContent(exchange, Map.of());
    }

    public void getComponent(Exchange exchange) {
        TwinOperations.ComponentRead read = twins.readComponent(id(exchange), component(exchange));
        ApiSupport.reply(exchange, 200, read.value(), Map.of("ETag", read.etag()));
    }

    public void patchComponent(Exchange exchange) {
        String etag = twins.patchComponent(id(exchange), component(exchange), ApiSupport.body(exchange),
                ApiRequest.of(exchange).header("If-Match"), traceparent(exchange));
        ApiSupport.noContent(exchange, Map.of("ETag", etag));
    }

    /** The W3C trace context the client sent, which the change's event carries on. */
    static String traceparent(Exchange exchange) {
        return ApiRequest.of(exchange).traceparent();
    }

    /** The twin id: {@code /digitaltwins/{id}/...}. */
    static String id(Exchange exchange) {
        return ApiRequest.of(exchange).segment(1);
    }

    /** The component: {@code /digitaltwins/{id}/components/{componentPath}}. */
    static String component(Exchange exchange) {
        ApiRequest request = ApiRequest.of(exchange);
        return "components".equals(request.segment(2)) ? request.segment(3) : null;
    }
}
