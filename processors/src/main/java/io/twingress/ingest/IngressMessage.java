package io.twingress.ingest;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.twingress.Json;

/**
 * One ingress message in the envelope every connector fills ({@link IngressHeaders}), with its body as received.
 * It round-trips through JSON so that a dead letter keeps the original message and can be replayed.
 */
public record IngressMessage(String source, String messageId, String deviceId, String enqueuedTime,
        String sourceTime, String contentType, String contentEncoding, byte[] body) {

    public static IngressMessage of(Exchange exchange) {
        Message m = exchange.getMessage();
        byte[] body = m.getBody(byte[].class);
        return new IngressMessage(m.getHeader(IngressHeaders.SOURCE, "unknown", String.class),
                m.getHeader(IngressHeaders.MESSAGE_ID, String.class), m.getHeader(IngressHeaders.DEVICE_ID, String.class),
                m.getHeader(IngressHeaders.ENQUEUED_TIME, String.class),
                m.getHeader(IngressHeaders.SOURCE_TIME, String.class),
                m.getHeader(IngressHeaders.CONTENT_TYPE, String.class),
                m.getHeader(IngressHeaders.CONTENT_ENCODING, String.class), body == null ? new byte[0] : body);
    }

    /** Puts this envelope and body on a message, as {@link #of} reads them back. */
    public void writeTo(Message m) {
        m.setHeader(IngressHeaders.SOURCE, source);
        m.setHeader(IngressHeaders.MESSAGE_ID, messageId);
        m.setHeader(IngressHeaders.DEVICE_ID, deviceId);
        m.setHeader(IngressHeaders.ENQUEUED_TIME, enqueuedTime);
        m.setHeader(IngressHeaders.SOURCE_TIME, sourceTime);
        m.setHeader(IngressHeaders.CONTENT_TYPE, contentType);
        m.setHeader(IngressHeaders.CONTENT_ENCODING, contentEncoding);
        m.setBody(body);
    }

    /** The payload as JSON; IoT Hub's base64 bodies are decoded first. */
    public JsonNode payload() {
        byte[] bytes = body;
        if ("base64".equalsIgnoreCase(contentEncoding)) {
            try {
                bytes = Base64.getDecoder().decode(new String(body, StandardCharsets.US_ASCII).trim());
            } catch (IllegalArgumentException e) {
                throw new IngressRefusal("the body is not base64 although its content encoding says so");
            }
        }
        try {
            return Json.parseSent(bytes);
        } catch (IllegalArgumentException e) {
            throw new IngressRefusal("the body is not JSON: " + e.getMessage());
        }
    }

    /** The envelope and the body (as text if it is UTF-8 text, else base64) as JSON. */
    public ObjectNode toJson() {
        ObjectNode json = Json.object();
        json.put("source", source);
        json.put("messageId", messageId);
        json.put("deviceId", deviceId);
        json.put("enqueuedTime", enqueuedTime);
        json.put("sourceTime", sourceTime);
        json.put("contentType", contentType);
        json.put("contentEncoding", contentEncoding);
        String text = new String(body, StandardCharsets.UTF_8);
        if (java.util.Arrays.equals(text.getBytes(StandardCharsets.UTF_8), body)) {
            json.put("body", text);
        } else {
            json.put("bodyBase64", Base64.getEncoder().encodeToString(body));
        }
        return json;
    }

    public static IngressMessage fromJson(JsonNode json) {
        byte[] body = json.hasNonNull("bodyBase64") ? Base64.getDecoder().decode(json.get("bodyBase64").asText())
                : json.path("body").asText("").getBytes(StandardCharsets.UTF_8);
        return new IngressMessage(json.path("source").asText(), text(json, "messageId"), text(json, "deviceId"),
                text(json, "enqueuedTime"), text(json, "sourceTime"), text(json, "contentType"),
                text(json, "contentEncoding"), body);
    }

    private static String text(JsonNode json, String name) {
        JsonNode value = json.get(name);
        return value == null || value.isNull() ? null : value.asText();
    }
}
