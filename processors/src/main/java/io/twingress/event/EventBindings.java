package io.twingress.event;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cloudevents.CloudEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.support.DefaultMessage;

import io.twingress.Json;

/**
 * CloudEvents protocol bindings: how an event is laid out in the message each endpoint type sends. The header names
 * are those the endpoint routes' components read; the components themselves are the routes' business.
 * <ul>
 * <li>Kafka: the CloudEvents Kafka binding, binary ({@code ce_*} headers, data as the value) or structured; the key
 * is the event's subject (the twin), so that one twin's events keep their order in one partition.
 * <li>Webhook and Event Grid: the CloudEvents HTTP binding, binary ({@code ce-*} headers) or structured, or an array of
 * one EventGridEvent; with the endpoint's authentication and extra headers.
 * <li>Event Hubs and Service Bus, as ADT sends them: the body is the data and the attributes are
 * {@code cloudEvents:*} application properties.
 * <li>MQTT: structured, the topic's placeholders filled from the event.
 * </ul>
 */
public final class EventBindings {

    public static final String STRUCTURED_CONTENT_TYPE = "application/cloudevents+json; charset=UTF-8";

    /** camel-kafka's producer header for a record's key. */
    static final String KAFKA_KEY = "kafka.KEY";
    static final String HTTP_METHOD = "CamelHttpMethod";
    static final String MQTT_TOPIC = "CamelPahoMqtt5OverrideTopic";
    /**
     * The Service Bus producer's header for a message's application properties. It reads no header for the AMQP
     * content type or message id (those headers are the consumer's): it would take the content type only from a
     * {@code Content-Type} application property, which ADT does not send.
     */
    static final String SERVICE_BUS_PROPERTIES = "CamelAzureServiceBusApplicationProperties";

    public static final String BATCH_CONTENT_TYPE = "application/cloudevents-batch+json; charset=UTF-8";

    /**
     * True if the endpoint sends a whole batch in one exchange: Kafka takes a list of messages, a webhook in batched
     * mode one JSON array.
     */
    public boolean takesBatches(EndpointSpec spec) {
        return spec.settings() instanceof EndpointSettings.Kafka
                || spec.settings() instanceof EndpointSettings.Webhook webhook
                && webhook.contentMode() == EndpointSettings.ContentMode.BATCH;
    }

    /** Sets the exchange's message to what the endpoint sends for the unit. */
    public void bind(Exchange exchange, EndpointSpec spec, DeliveryUnit unit) {
        Message out = exchange.getMessage();
        out.getHeaders().clear();
        EndpointSettings settings = spec.settings();
        if (settings instanceof EndpointSettings.Kafka kafka) {
            List<Message> records = new ArrayList<>(unit.deliveries().size());
            for (Delivery d : unit.deliveries()) {
                Message record = new DefaultMessage(exchange.getContext());
                kafka(record, d.event(), kafka.contentMode());
                records.add(record);
            }
            out.setBody(records);
            return;
        }
        CloudEvent event = unit.deliveries().get(0).event();
        if (settings instanceof EndpointSettings.Webhook webhook) {
            if (webhook.contentMode() == EndpointSettings.ContentMode.BATCH) {
                out.setHeader(HTTP_METHOD, "POST");
                out.setHeader(Exchange.CONTENT_TYPE, BATCH_CONTENT_TYPE);
                out.setBody(batch(unit));
            } else {
                http(out, event, webhook.contentMode());
            }
            EndpointSettings.WebhookAuthentication auth = webhook.authentication();
            if (auth.type() == EndpointSettings.WebhookAuthentication.Type.Bearer) {
                out.setHeader("Authorization", "Bearer " + auth.token().reveal());
            } else if (auth.type() == EndpointSettings.WebhookAuthentication.Type.Key) {
                out.setHeader(auth.headerName(), auth.key().reveal());
            }
            webhook.headers().forEach(out::setHeader);
            out.setHeader(Exchange.HTTP_URI, webhook.url().toString());
        } else if (settings instanceof EndpointSettings.EventGrid grid) {
            http(out, event, EndpointSettings.ContentMode.EVENT_GRID);
            out.setHeader(Exchange.HTTP_URI, grid.topicEndpoint().toString());
            out.setHeader(EndpointSettings.WebhookAuthentication.DEFAULT_KEY_HEADER, grid.accessKey1().reveal());
        } else if (settings instanceof EndpointSettings.Mqtt mqtt) {
            out.setBody(AdtCloudEvents.structured(event));
            out.setHeader(MQTT_TOPIC, topic(mqtt.topic(), event));
        } else if (settings instanceof EndpointSettings.ServiceBus) {
            // the producer also makes every other header that is not Camel's an application property: set none
            out.setBody(data(event));
            out.setHeader(SERVICE_BUS_PROPERTIES, amqpProperties(event));
        } else if (settings instanceof EndpointSettings.EventHub) {
            // the Event Hubs producer makes every header an application property of the event
            out.setBody(data(event));
            amqpProperties(event).forEach(out::setHeader);
        } else {
            throw new IllegalStateException("no binding for " + settings.type());
        }
    }

    /**
     * An HTTP endpoint's URL as its send route's endpoint URI: without its query. Camel reads a URI's query as the
     * component's options, so a URL's {@code ?throwExceptionOnFailure=false} would make every refusal count as
     * delivered, and {@code ?httpMethod=GET} keep the endpoint from starting; and it decodes the URI's path. Each
     * request goes to the URL exactly as written ({@link Exchange#HTTP_URI}, set by {@link #bind}).
     */
    public static String withoutQuery(URI url) {
        String text = url.toString();
        int cut = text.indexOf('?');
        return cut < 0 ? text : text.substring(0, cut);
    }

    private static void kafka(Message record, CloudEvent event, EndpointSettings.ContentMode mode) {
        record.setHeader(KAFKA_KEY, key(event));
        if (mode == EndpointSettings.ContentMode.STRUCTURED) {
            record.setHeader("content-type", STRUCTURED_CONTENT_TYPE);
            record.setBody(AdtCloudEvents.structured(event));
            return;
        }
        attributes(event).forEach((name, value) -> record.setHeader("ce_" + name, value));
        record.setHeader("content-type", event.getDataContentType());
        record.setBody(data(event));
    }

    private static void http(Message out, CloudEvent event, EndpointSettings.ContentMode mode) {
        out.setHeader(HTTP_METHOD, "POST");
        switch (mode) {
            case STRUCTURED -> {
                out.setHeader(Exchange.CONTENT_TYPE, STRUCTURED_CONTENT_TYPE);
                out.setBody(AdtCloudEvents.structured(event));
            }
            case EVENT_GRID -> {
                out.setHeader(Exchange.CONTENT_TYPE, "application/json; charset=utf-8");
                out.setBody(Json.write(eventGridEvents(event)).getBytes(StandardCharsets.UTF_8));
            }
            default -> {
                attributes(event).forEach((name, value) -> out.setHeader("ce-" + name, value));
                out.setHeader(Exchange.CONTENT_TYPE, event.getDataContentType());
                out.setBody(data(event));
            }
        }
    }

    /** The unit's events in CloudEvents' JSON batch format: an array of structured events. */
    private static byte[] batch(DeliveryUnit unit) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write('[');
        for (int i = 0; i < unit.deliveries().size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            out.writeBytes(AdtCloudEvents.structured(unit.deliveries().get(i).event()));
        }
        out.write(']');
        return out.toByteArray();
    }

    /** An array of one event in Event Grid's own schema, as ADT sends to an Event Grid topic. */
    static ArrayNode eventGridEvents(CloudEvent event) {
        ArrayNode events = Json.MAPPER.createArrayNode();
        ObjectNode e = events.addObject();
        e.put("id", event.getId());
        e.put("subject", event.getSubject());
        e.put("eventType", event.getType());
        e.put("dataVersion", "1.0");
        e.put("metadataVersion", "1");
        e.put("eventTime", event.getTime() == null ? null : event.getTime().toInstant().toString());
        ObjectNode data = e.putObject("data");
        data.set("data", Json.parse(AdtCloudEvents.dataText(event)));
        data.put("contenttype", event.getDataContentType());
        Object traceparent = event.getExtension("traceparent");
        if (traceparent != null) {
            data.put("traceparent", traceparent.toString());
        }
        if (event.getDataSchema() != null) {
            data.put("dataschema", event.getDataSchema().toString());
        }
        return events;
    }

    /** The context attributes as strings, by name (specversion, id, source, type, then what is set). */
    static Map<String, String> attributes(CloudEvent event) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("specversion", event.getSpecVersion().toString());
        attributes.put("id", event.getId());
        attributes.put("source", event.getSource().toString());
        attributes.put("type", event.getType());
        if (event.getSubject() != null) {
            attributes.put("subject", event.getSubject());
        }
        if (event.getTime() != null) {
            attributes.put("time", event.getTime().toInstant().toString());
        }
        URI schema = event.getDataSchema();
        if (schema != null) {
            attributes.put("dataschema", schema.toString());
        }
        for (String name : event.getExtensionNames()) {
            attributes.put(name, String.valueOf(event.getExtension(name)));
        }
        return attributes;
    }

    private static Map<String, Object> amqpProperties(CloudEvent event) {
        Map<String, Object> properties = new LinkedHashMap<>();
        attributes(event).forEach((name, value) -> properties.put("cloudEvents:" + name, value));
        return properties;
    }

    private static byte[] data(CloudEvent event) {
        return event.getData() == null ? new byte[0] : event.getData().toBytes();
    }

    /** The twin an event is about: the subject of a twin or relationship event, the source of telemetry. */
    static String key(CloudEvent event) {
        return EventTypes.TELEMETRY.equals(event.getType()) || event.getSubject() == null
                ? event.getSource().toString() : event.getSubject();
    }

    private static String topic(String template, CloudEvent event) {
        String twinId = key(event);
        int cut = twinId.lastIndexOf("/digitaltwins/");
        if (cut >= 0) {
            twinId = twinId.substring(cut + "/digitaltwins/".length());
        } else if (twinId.contains("/relationships/")) {
            twinId = twinId.substring(0, twinId.indexOf("/relationships/"));
        }
        return template.replace("{subject}", mqttLevel(event.getSubject() == null ? "" : event.getSubject()))
                .replace("{type}", mqttLevel(event.getType()))
                .replace("{twinId}", mqttLevel(twinId));
    }

    /** MQTT topics cannot carry wildcards; a '+' or '#' in an id would make the topic unpublishable. */
    private static String mqttLevel(String text) {
        return text.replace('+', '_').replace('#', '_').replace("\u0000", "");
    }
}
