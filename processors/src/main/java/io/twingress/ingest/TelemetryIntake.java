package io.twingress.ingest;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.model.InterfaceModel;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;
import io.twingress.twin.TwinChecks;
import io.twingress.twin.TwinMetadata;
import io.twingress.twin.TwinModels;
import io.twingress.twin.TwinValidator;

/**
 * Takes a twin's telemetry in and hands it on once per message id. Like ADT, any JSON payload is taken for any
 * existing twin (clients send readings of properties, or telemetry no model declares); in strict mode the payload
 * must match the Telemetry contents of the twin's (or component's) model. The id is recorded in the same write unit
 * as the hand-off, so a failed hand-off leaves the id unrecorded and the sender's retry is handed on, while a resend
 * of a delivered message is acknowledged and dropped.
 */
public final class TelemetryIntake {

    /** What a validated telemetry message carries on to the routes. */
    public record Telemetry(String twinId, String component, String modelId, String messageId, String sourceTime,
            JsonNode payload) {
    }

    private final TwinStore store;
    private final TwinModels models;
    private final ProducerTemplate producer;
    private final boolean strict;

    public TelemetryIntake(TwinStore store, TwinModels models, ProducerTemplate producer, boolean strict) {
        this.store = store;
        this.models = models;
        this.producer = producer;
        this.strict = strict;
    }

    /** Checks a message; nothing is recorded yet. */
    public Telemetry check(String twinId, String component, JsonNode payload, String messageId, String sourceTime) {
        if (messageId == null || messageId.isBlank()) {
            throw AdtError.INVALID_ARGUMENT.with("The Message-Id header is required: it identifies the message so"
                    + " that a resent one is delivered once.");
        }
        if (sourceTime != null) {
            TwinMetadata.parseTime(sourceTime, "Telemetry-Source-Time");
        }
        return store.read(tx -> {
            StoredTwin twin = TwinChecks.existingTwin(tx.twin(twinId), twinId);
            InterfaceModel model = models.of(twin);
            if (component != null) {
                model = models.componentOf(model, twinId, component);
                if (model == null) {
                    throw AdtError.VALIDATION_FAILED.with("The model of component '" + component + "' of twin "
                            + twinId + " is not stored.");
                }
            }
            if (strict) {
                TwinValidator.validateTelemetry(model, payload);
            } else if (payload == null) {
                throw AdtError.INVALID_ARGUMENT.with("The telemetry message needs a JSON body.");
            }
            return new Telemetry(twinId, component, model.id(), messageId, sourceTime, payload);
        });
    }

    /**
     * Hands the exchange (a checked message and its {@link TelemetryHeaders}) on to {@code endpointUri} unless its
     * message id was seen for this twin; the id is recorded only if the hand-off succeeds. A hand-off that joins
     * the store's write unit (an outbox row) commits with the id.
     */
    public void handOnOnce(Exchange exchange, String endpointUri) {
        String twinId = exchange.getMessage().getHeader(TelemetryHeaders.TWIN_ID, String.class);
        String component = exchange.getMessage().getHeader(TelemetryHeaders.COMPONENT, String.class);
        String messageId = exchange.getMessage().getHeader(TelemetryHeaders.MESSAGE_ID, String.class);
        // a component name holds no '/', a twin id may: the component comes first so that no two scopes collide
        String scope = "telemetry:" + (component == null ? "" : component) + "/" + twinId;
        store.write(tx -> {
            if (tx.markSeen(scope, messageId)) {
                Exchange handed = producer.send(endpointUri, exchange.copy());
                if (handed.getException() != null) {
                    // rolls the unit back, and with it the recorded id
                    throw new TelemetryHandOffException(messageId, handed.getException());
                }
            }
            return null;
        });
    }

    /** Sets the exchange up for {@link #handOnOnce}: the payload as the body and the envelope as headers. */
    public static void describe(Exchange exchange, Telemetry telemetry) {
        var message = exchange.getMessage();
        message.getHeaders().clear();
        message.setHeader(TelemetryHeaders.TWIN_ID, telemetry.twinId());
        message.setHeader(TelemetryHeaders.COMPONENT, telemetry.component());
        message.setHeader(TelemetryHeaders.MODEL_ID, telemetry.modelId());
        message.setHeader(TelemetryHeaders.MESSAGE_ID, telemetry.messageId());
        message.setHeader(TelemetryHeaders.SOURCE_TIME, telemetry.sourceTime());
        message.setBody(Json.write(telemetry.payload()));
    }

    /** The route a message was handed to failed it; the sender is told to retry. */
    public static final class TelemetryHandOffException extends RuntimeException {
        TelemetryHandOffException(String messageId, Throwable cause) {
            super("telemetry " + messageId + " could not be handed on", cause);
        }
    }
}
