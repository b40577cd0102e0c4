package io.twingress.event;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.core.builder.CloudEventBuilder;
import io.cloudevents.jackson.JsonFormat;

import io.twingress.Instants;
import io.twingress.Json;
import io.twingress.store.OutboxEvent;

/**
 * ADT's events as CloudEvents 1.0, made with the CloudEvents SDK from outbox rows: the attributes ADT sets, the
 * {@code traceparent} extension, JSON data, and on request what Twingress adds to an update.
 */
public final class AdtCloudEvents {

    public static final String JSON_CONTENT_TYPE = "application/json";
    private static final JsonFormat FORMAT = new JsonFormat();

    private AdtCloudEvents() {
    }

    /** The event an outbox row becomes on a route; a replayed dead letter is the event it was. */
    public static CloudEvent of(OutboxEvent row, EventRoute route) {
        if (row.onlyFor() != null) {
            return parseStructured(row.data());
        }
        byte[] data = row.data().getBytes(StandardCharsets.UTF_8);
        if (row.extra() != null && route != null && (route.includeState() || route.includePreviousValues())) {
            ObjectNode enriched = Json.parseObject(row.data());
            JsonNode extra = Json.parse(row.extra());
            if (route.includeState()) {
                enriched.set(EventTypes.STATE, extra.get(EventTypes.STATE));
            }
            if (route.includePreviousValues()) {
                enriched.set(EventTypes.PREVIOUS, extra.get(EventTypes.PREVIOUS));
            }
            data = Json.write(enriched).getBytes(StandardCharsets.UTF_8);
        }
        CloudEventBuilder builder = CloudEventBuilder.v1()
                .withId(row.eventId())
                .withSource(uriReference(row.source()))
                .withType(row.type())
                .withTime(Instants.parseOffsetDateTime(row.time()))
                .withData(JSON_CONTENT_TYPE, data);
        if (row.subject() != null) {
            builder.withSubject(row.subject());
        }
        if (row.dataschema() != null) {
            builder.withDataSchema(uriReference(row.dataschema()));
        }
        if (row.traceparent() != null) {
            builder.withExtension("traceparent", row.traceparent());
        }
        return builder.build();
    }

    /** The attributes a route filter sees, by name. */
    public static Map<String, String> attributes(OutboxEvent row) {
        Map<String, String> attributes = new HashMap<>();
        attributes.put("specversion", "1.0");
        attributes.put("id", row.eventId());
        attributes.put("type", row.type());
        attributes.put("source", row.source());
        attributes.put("subject", row.subject());
        attributes.put("time", row.time());
        attributes.put("dataschema", row.dataschema());
        attributes.put("datacontenttype", JSON_CONTENT_TYPE);
        return attributes;
    }

    /** The event in CloudEvents' structured JSON form ({@code application/cloudevents+json}). */
    public static byte[] structured(CloudEvent event) {
        return FORMAT.serialize(event);
    }

    public static String structuredText(CloudEvent event) {
        return new String(structured(event), StandardCharsets.UTF_8);
    }

    public static CloudEvent parseStructured(String json) {
        return FORMAT.deserialize(json.getBytes(StandardCharsets.UTF_8));
    }

    /** The event's data as text (always JSON here). */
    public static String dataText(CloudEvent event) {
        return event.getData() == null ? "null" : new String(event.getData().toBytes(), StandardCharsets.UTF_8);
    }

    /**
     * A URI reference for text that may hold characters a URI cannot (a twin id with a space, say): those are
     * percent-encoded, everything else is kept as written.
     */
    static URI uriReference(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && "\"<>\\^`{|}%[] #?".indexOf(c) < 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return URI.create(out.toString());
    }
}
