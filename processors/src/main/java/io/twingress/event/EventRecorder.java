package io.twingress.event;

import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;

import io.twingress.Instants;
import io.twingress.Json;
import io.twingress.ingest.TelemetryHeaders;
import io.twingress.store.OutboxEvent;
import io.twingress.store.StoreTx;
import io.twingress.store.TwinStore;
import io.twingress.twin.Change;
import io.twingress.twin.ChangeLog;

/**
 * Turns each change, inside its write unit, into an outbox row holding ADT's event: its type, source, subject, time,
 * trace context and data. Telemetry is recorded by the route it is handed to, which runs inside the unit that
 * records its message id. When an event route asks for it, an update's row also keeps the state after the change and
 * the values the patch replaced.
 */
public final class EventRecorder implements ChangeLog {

    private static final Pattern TRACEPARENT = Pattern.compile("00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

    private final TwinStore store;
    private final String source;
    private final Clock clock;
    /** True while some event route wants {@link EventTypes#STATE} or {@link EventTypes#PREVIOUS}. */
    private volatile boolean enrich;

    public EventRecorder(TwinStore store, String source, Clock clock) {
        this.store = store;
        this.source = source;
        this.clock = clock;
    }

    /** The host name events carry as their source. */
    public String source() {
        return source;
    }

    void enrich(boolean enrich) {
        this.enrich = enrich;
    }

    @Override
    public void record(StoreTx tx, Change change) {
        String type;
        JsonNode data;
        String extra = null;
        switch (change.kind()) {
            case TWIN_CREATE, RELATIONSHIP_CREATE -> {
                type = change.isRelationship() ? EventTypes.RELATIONSHIP_CREATE : EventTypes.TWIN_CREATE;
                data = change.after();
            }
            case TWIN_DELETE, RELATIONSHIP_DELETE -> {
                type = change.isRelationship() ? EventTypes.RELATIONSHIP_DELETE : EventTypes.TWIN_DELETE;
                data = Json.parse(change.before());
            }
            default -> {
                type = change.isRelationship() ? EventTypes.RELATIONSHIP_UPDATE : EventTypes.TWIN_UPDATE;
                ObjectNode update = Json.object();
                update.put("modelId", change.modelId());
                update.set("patch", change.patch());
                data = update;
                if (enrich) {
                    extra = Json.write(Json.object().<ObjectNode>set(EventTypes.STATE, change.after())
                            .set(EventTypes.PREVIOUS, previousValues(change)));
                }
            }
        }
        String subject = change.isRelationship() ? change.twinId() + "/relationships/" + change.relationshipId()
                : change.twinId();
        Instant now = clock.instant();
        tx.appendEvent(OutboxEvent.of(now.toEpochMilli(), UUID.randomUUID().toString(), type, source, subject,
                Instants.format(now), null, traceparent(change.traceparent()), Json.write(data), extra));
    }

    /**
     * Records a telemetry message handed on by the intake ({@link TelemetryHeaders}, the payload as the body). It runs
     * inside the write unit that records the message id, which it joins.
     */
    public void telemetry(Exchange exchange) {
        var message = exchange.getMessage();
        String twinId = message.getHeader(TelemetryHeaders.TWIN_ID, String.class);
        String sourceTime = message.getHeader(TelemetryHeaders.SOURCE_TIME, String.class);
        Instant now = clock.instant();
        OutboxEvent event = OutboxEvent.of(now.toEpochMilli(), message.getHeader(TelemetryHeaders.MESSAGE_ID, String.class),
                EventTypes.TELEMETRY, source + "/digitaltwins/" + twinId,
                message.getHeader(TelemetryHeaders.COMPONENT, String.class),
                sourceTime != null ? sourceTime : Instants.format(now),
                message.getHeader(TelemetryHeaders.MODEL_ID, String.class),
                traceparent(message.getHeader(TelemetryHeaders.TRACEPARENT, String.class)), message.getBody(String.class), null);
        store.write(tx -> {
            tx.appendEvent(event);
            return null;
        });
    }

    /** The values at the patched paths before the patch; null where there was none. */
    private static ObjectNode previousValues(Change change) {
        ObjectNode previous = Json.object();
        if (change.before() == null) {
            return previous;
        }
        JsonNode before = Json.parse(change.before());
        for (Iterator<JsonNode> ops = change.patch().elements(); ops.hasNext();) {
            String path = ops.next().path("path").asText();
            JsonNode old = before.at(path);
            previous.set(path, old.isMissingNode() ? Json.MAPPER.nullNode() : old);
        }
        return previous;
    }

    /** The caller's W3C trace context if it sent a valid one, else a new sampled one. */
    static String traceparent(String given) {
        if (given != null && TRACEPARENT.matcher(given).matches() && !given.startsWith("00-00000000000000000000000000000000")) {
            return given;
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        HexFormat hex = HexFormat.of();
        return "00-" + hex.toHexDigits(random.nextLong()) + hex.toHexDigits(random.nextLong() | 1) + "-"
                + hex.toHexDigits(random.nextLong() | 1) + "-01";
    }
}
