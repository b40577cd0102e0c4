package io.twingress.routes;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.azure.eventhubs.EventHubsConstants;
import org.apache.camel.component.azure.servicebus.ServiceBusConstants;

import io.twingress.Instants;
import io.twingress.ingest.IngressHeaders;
import io.twingress.routes.ingress.EventHubsIngressConsumer;
import io.twingress.routes.ingress.ServiceBusIngressConsumer;

/**
 * Reads what each connector delivers into the ingress envelope ({@link IngressHeaders}): this is where the
 * connectors' own header names live, so that the twin-update entry point knows none of them.
 */
public final class IngressEnvelopes {

    /** The headers of a Kafka record that make its envelope, by lower-case name (Camel's are case-insensitive). */
    private static final Set<String> KAFKA_ENVELOPE_HEADERS = Set.of("kafka.topic", "kafka.partition", "kafka.offset",
            "kafka.key", "kafka.timestamp", "iothub-connection-device-id", "deviceid", "iothub-creation-time-utc",
            "sourcetime", "content-type", "iothub-contenttype", "iothub-contentencoding");

    /**
     * A camel-kafka batch (a list of exchanges) or record: the message id is topic-partition-offset (unique per
     * record, stable across redeliveries), the device id IoT Hub's {@code iothub-connection-device-id} header when
     * present (Event Hubs' Kafka endpoint carries it), else a {@code deviceId} header, else the record key.
     */
    public void kafka(Exchange exchange) {
        for (Exchange record : records(exchange)) {
            Message m = record.getMessage();
            Map<String, Object> h = kafkaHeaders(m);
            String topic = text(h.get("kafka.topic"));
            m.setHeader(IngressHeaders.SOURCE, "kafka:" + topic);
            m.setHeader(IngressHeaders.MESSAGE_ID, topic + "-" + h.get("kafka.partition") + "-"
                    + h.get("kafka.offset"));
            m.setHeader(IngressHeaders.DEVICE_ID, first(text(h.get("iothub-connection-device-id")),
                    text(h.get("deviceid")), text(h.get("kafka.key"))));
            m.setHeader(IngressHeaders.ENQUEUED_TIME, h.get("kafka.timestamp") instanceof Number timestamp
                    ? Instants.format(Instant.ofEpochMilli(timestamp.longValue())) : null);
            m.setHeader(IngressHeaders.SOURCE_TIME, first(text(h.get("iothub-creation-time-utc")),
                    text(h.get("sourcetime")), null));
            m.setHeader(IngressHeaders.CONTENT_TYPE, first(text(h.get("content-type")),
                    text(h.get("iothub-contenttype")), null));
            m.setHeader(IngressHeaders.CONTENT_ENCODING, text(h.get("iothub-contentencoding")));
        }
    }

    /**
     * The record's headers that make its envelope, by lower-case name, read in one pass: Camel's header map compares
     * names case-insensitively a character at a time, and a lookup per name was a tenth of a Kafka consumer's time.
     */
    private static Map<String, Object> kafkaHeaders(Message m) {
        Map<String, Object> wanted = new HashMap<>();
        m.getHeaders().forEach((name, value) -> {
            String key = name.toLowerCase(Locale.ROOT);
            if (KAFKA_ENVELOPE_HEADERS.contains(key)) {
                wanted.put(key, value);
            }
        });
        return wanted;
    }

    /**
     * An MQTT message: the device id is the first group of {@code deviceIdPattern} matched against the topic
     * (IoT Hub's {@code devices/{id}/messages/events/...} by default); MQTT 5 carries no message id the broker
     * keeps, so every message is new.
     */
    public void mqtt(Exchange exchange, String deviceIdPattern) {
        Message m = exchange.getMessage();
        String topic = first(text(m, "CamelMqttTopic"), text(m, "CamelPahoMqtt5OverrideTopic"), "");
        Matcher matcher = Pattern.compile(deviceIdPattern).matcher(topic);
        m.setHeader(IngressHeaders.SOURCE, "mqtt");
        m.setHeader(IngressHeaders.DEVICE_ID, matcher.find() && matcher.groupCount() > 0 ? matcher.group(1) : null);
        m.setHeader(IngressHeaders.ENQUEUED_TIME, Instants.format(Instant.now()));
    }

    /**
     * An event from an event hub, IoT Hub's built-in endpoint among them ({@code twingress-eventhubs}): IoT Hub puts
     * the device id ({@code iothub-connection-device-id}), its enqueued time and the message's AMQP message id,
     * content type and encoding in the event's system properties; an event hub written to directly may carry them as
     * application properties. The message id is the device's message id scoped by the device (devices number their
     * messages independently), else hub-partition-sequence number, unique and stable across redeliveries.
     */
    public void eventHubs(Exchange exchange) {
        Message m = exchange.getMessage();
        Map<?, ?> system = map(m.getHeader(EventHubsIngressConsumer.SYSTEM_PROPERTIES));
        Map<?, ?> app = map(m.getHeader(EventHubsConstants.METADATA));
        String hub = text(m, EventHubsIngressConsumer.EVENT_HUB_NAME);
        String deviceId = first(text(system.get("iothub-connection-device-id")),
                text(app.get("iothub-connection-device-id")), text(app.get("deviceId")));
        String messageId = first(text(system.get("message-id")), text(app.get("iothub-message-id")),
                text(app.get("message-id")));
        m.setHeader(IngressHeaders.SOURCE, "eventhubs:" + hub);
        m.setHeader(IngressHeaders.MESSAGE_ID, messageId == null
                ? hub + "-" + m.getHeader(EventHubsConstants.PARTITION_ID) + "-"
                        + m.getHeader(EventHubsConstants.SEQUENCE_NUMBER)
                : deviceId == null ? messageId : deviceId + "/" + messageId);
        m.setHeader(IngressHeaders.DEVICE_ID, deviceId);
        m.setHeader(IngressHeaders.ENQUEUED_TIME, first(time(system.get("iothub-enqueuedtime")),
                time(m.getHeader(EventHubsConstants.ENQUEUED_TIME)), null));
        m.setHeader(IngressHeaders.SOURCE_TIME, first(time(system.get("iothub-creation-time-utc")),
                time(app.get("iothub-creation-time-utc")), text(app.get("sourceTime"))));
        m.setHeader(IngressHeaders.CONTENT_TYPE, first(text(m, EventHubsIngressConsumer.CONTENT_TYPE),
                text(system.get("content-type")), first(text(app.get("iothub-contenttype")),
                        text(app.get("content-type")), null)));
        m.setHeader(IngressHeaders.CONTENT_ENCODING, first(text(system.get("content-encoding")),
                text(app.get("iothub-contentencoding")), text(app.get("content-encoding"))));
    }

    /**
     * A message from a Service Bus queue or subscription ({@code twingress-servicebus}): IoT Hub's routing to Service
     * Bus puts the device id and the message's own properties in the application properties; the message id is
     * Service Bus' (a resent message keeps it, so it is dropped as a duplicate), else the sequence number.
     */
    public void serviceBus(Exchange exchange) {
        Message m = exchange.getMessage();
        Map<?, ?> app = map(m.getHeader(ServiceBusConstants.APPLICATION_PROPERTIES));
        m.setHeader(IngressHeaders.SOURCE, "servicebus:" + text(m, ServiceBusIngressConsumer.ENTITY_PATH));
        m.setHeader(IngressHeaders.MESSAGE_ID, first(text(m, ServiceBusConstants.MESSAGE_ID),
                text(app.get("iothub-message-id")), text(m, ServiceBusConstants.SEQUENCE_NUMBER)));
        m.setHeader(IngressHeaders.DEVICE_ID, first(text(app.get("iothub-connection-device-id")),
                text(app.get("deviceId")), null));
        m.setHeader(IngressHeaders.ENQUEUED_TIME, time(m.getHeader(ServiceBusConstants.ENQUEUED_TIME)));
        m.setHeader(IngressHeaders.SOURCE_TIME, first(time(app.get("iothub-creation-time-utc")),
                text(app.get("sourceTime")), null));
        m.setHeader(IngressHeaders.CONTENT_TYPE, first(text(m, ServiceBusConstants.CONTENT_TYPE),
                text(app.get("iothub-contenttype")), text(app.get("content-type"))));
        m.setHeader(IngressHeaders.CONTENT_ENCODING, first(text(app.get("iothub-contentencoding")),
                text(app.get("content-encoding")), null));
    }

    private static Map<?, ?> map(Object value) {
        return value instanceof Map<?, ?> map ? map : Map.of();
    }

    private static String text(Object value) {
        if (value instanceof byte[] bytes) {
            return new String(bytes, StandardCharsets.UTF_8);
        }
        return value == null ? null : value.toString();
    }

    /** An AMQP timestamp (a Date), an SDK time (Instant, OffsetDateTime) or text, as RFC 3339. */
    private static String time(Object value) {
        if (value instanceof Date date) {
            return date.toInstant().toString();
        }
        if (value instanceof Instant instant) {
            return instant.toString();
        }
        if (value instanceof OffsetDateTime time) {
            return time.toInstant().toString();
        }
        return text(value);
    }

    @SuppressWarnings("unchecked")
    private static List<Exchange> records(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return body instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Exchange
                ? (List<Exchange>) list : List.of(exchange);
    }

    private static String text(Message m, String header) {
        return text(m.getHeader(header));
    }

    private static String first(String a, String b, String c) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : c;
    }
}
