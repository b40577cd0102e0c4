package io.twingress.api;

import java.util.Map;

import org.apache.camel.Exchange;

import io.twingress.ingest.TelemetryHeaders;
import io.twingress.ingest.TelemetryIntake;

/**
 * ADT's telemetry operations. A checked message leaves {@link #accept} as the exchange body (the raw payload) with
 * the ingest side's telemetry headers; the route hands it on once per message id and replies 204.
 */
public final class TelemetryApi {

    private final TelemetryIntake intake;

    public TelemetryApi(TelemetryIntake intake) {
        this.intake = intake;
    }

    public void accept(Exchange exchange) {
        ApiRequest request = ApiRequest.of(exchange);
        // read once as text: the event carries the payload as the client wrote it, not as it parses
        String raw = exchange.getMessage().getBody(String.class);
        exchange.getMessage().setBody(raw);
        TelemetryIntake.Telemetry telemetry = intake.check(TwinsApi.id(exchange), TwinsApi.component(exchange),
                ApiSupport.body(exchange), request.header("Message-Id"), request.header("Telemetry-Source-Time"));
        String traceparent = request.traceparent();
        TelemetryIntake.describe(exchange, telemetry);
        exchange.getMessage().setBody(raw);
        exchange.getMessage().setHeader(TelemetryHeaders.TRACEPARENT, traceparent);
    }

    /** Replies 204 once the telemetry was handed on. */
    public void accepted(Exchange exchange) {
        ApiSupport.noContent(exchange, Map.of());
    }
}
