package io.twingress.api;

import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.twingress.Json;
import io.twingress.ingest.TelemetryHeaders;
import io.twingress.twin.TwinService;

/**
 * ADT's telemetry operations. A valid message leaves here as the exchange body (the raw payload) with
 * {@link TelemetryHeaders}; the route hands it on to the telemetry endpoint and replies 204.
 */
public final class TelemetryApi {

    private final TwinService twins;

    public TelemetryApi(TwinService twins) {
        this.twins = twins;
    }

    public void accept(Exchange exchange) {
        ApiSupport.requireApiVersion(exchange);
        TwinService.Telemetry telemetry = twins.acceptTelemetry(TwinsApi.id(exchange),
                ApiSupport.header(exchange, "componentPath"), ApiSupport.body(exchange),
                ApiSupport.header(exchange, "Message-Id"), ApiSupport.header(exchange, "Telemetry-Source-Time"));
        Message message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(TelemetryHeaders.TWIN_ID, telemetry.twinId());
        message.setHeader(TelemetryHeaders.COMPONENT, telemetry.component());
        message.setHeader(TelemetryHeaders.MODEL_ID, telemetry.modelId());
        message.setHeader(TelemetryHeaders.MESSAGE_ID, telemetry.messageId());
        message.setHeader(TelemetryHeaders.SOURCE_TIME, telemetry.sourceTime());
        message.setHeader(TelemetryHeaders.DUPLICATE, telemetry.duplicate());
        message.setBody(Json.write(telemetry.payload()));
    }

    /** Replies 204 once the telemetry was handed on. */
    public void accepted(Exchange exchange) {
        ApiSupport.noContent(exchange, Map.of());
    }
}
