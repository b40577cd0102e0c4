package io.twingress.routes;

import java.time.Instant;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.twingress.ingest.IngressHeaders;

/**
 * Reads what each connector delivers into the ingress envelope ({@link IngressHeaders}): this is where the
 * connectors' own header names live, so that the twin-update entry point knows none of them.
 */
public final class IngressEnvelopes {

    /**
     * A camel-kafka batch (a list of exchanges) or record: the message id is topic-partition-offset (unique per
     * record, stable across redeliveries), the device id IoT Hub's {@code iothub-connection-device-id} header when
     * present (Event Hubs' Kafka endpoint carries it), else a {@code deviceId} header, else the record key.
     */
    public void kafka(Exchange exchange) {
        for (Exchange record : records(exchange)) {
            Message m = record.getMessage();
            String topic = m.getHeader("kafka.TOPIC", String.class);
            m.setHeader(IngressHeaders.SOURCE, "kafka:" + topic);
            m.setHeader(IngressHeaders.MESSAGE_ID, topic + "-" + m.getHeader("kafka.PARTITION") + "-"
                    + m.getHeader("kafka.OFFSET"));
            m.setHeader(IngressHeaders.DEVICE_ID, first(text(m, "iothub-connection-device-id"), text(m, "deviceId"),
                    text(m, "kafka.KEY")));
            Long timestamp = m.getHeader("kafka.TIMESTAMP", Long.class);
            m.setHeader(IngressHeaders.ENQUEUED_TIME, timestamp == null ? null
                    : Instant.ofEpochMilli(timestamp).toString());
            m.setHeader(IngressHeaders.SOURCE_TIME, first(text(m, "iothub-creation-time-utc"), text(m, "sourceTime"),
                    null));
            m.setHeader(IngressHeaders.CONTENT_TYPE, first(text(m, "content-type"), text(m, "iothub-contenttype"),
                    null));
            m.setHeader(IngressHeaders.CONTENT_ENCODING, text(m, "iothub-contentencoding"));
        }
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
        m.setHeader(IngressHeaders.ENQUEUED_TIME, Instant.now().toString());
    }

    @SuppressWarnings("unchecked")
    private static List<Exchange> records(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        return body instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Exchange
                ? (List<Exchange>) list : List.of(exchange);
    }

    private static String text(Message m, String header) {
        Object value = m.getHeader(header);
        if (value instanceof byte[] bytes) {
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
        return value == null ? null : value.toString();
    }

    private static String first(String a, String b, String c) {
        return a != null && !a.isBlank() ? a : b != null && !b.isBlank() ? b : c;
    }
}
