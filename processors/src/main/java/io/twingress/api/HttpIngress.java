package io.twingress.api;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import org.apache.camel.Exchange;
import org.apache.camel.Message;

import io.twingress.AdtError;
import io.twingress.Json;

import io.twingress.ingest.IngressHeaders;
import io.twingress.ingest.IngressMessage;

/**
 * Puts the ingress envelope on HTTP messages: IoT Hub's device telemetry path
 * ({@code POST /devices/{deviceId}/messages/events}, with IoT Hub's {@code iothub-*} headers), and named webhooks
 * ({@code POST /ingress/webhooks/{name}}) whose device id comes from where the webhook's setting says:
 * {@code header:<name>}, {@code query:<name>} or {@code body:<field>} (a top-level field, or a dotted path).
 */
public final class HttpIngress {

    private final Map<String, String> webhooks;
    private final int maxMessageSize;
    private final Clock clock;

    /**
     * @param webhooks       each webhook's name and where its device id is
     * @param maxMessageSize the largest body taken, in bytes
     */
    public HttpIngress(Map<String, String> webhooks, int maxMessageSize, Clock clock) {
        this.webhooks = Map.copyOf(webhooks);
        this.maxMessageSize = maxMessageSize;
        this.clock = clock;
    }

    public void device(Exchange exchange) {
        materialize(exchange);
        ApiRequest request = ApiRequest.of(exchange);
        String deviceId = request.segment(1);
        envelope(exchange, IngressHeaders.HTTP_SOURCE + "devices", deviceId, first(request.header("iothub-messageid"),
                request.header("Message-Id")), first(request.header("iothub-creation-time-utc"), null),
                first(request.header("iothub-contenttype"), request.header(Exchange.CONTENT_TYPE)),
                request.header("iothub-contentencoding"));
    }

    public void webhook(Exchange exchange) {
        materialize(exchange);
        ApiRequest request = ApiRequest.of(exchange);
        String name = request.segment(2);
        String from = webhooks.get(name);
        if (from == null) {
            throw AdtError.WEBHOOK_NOT_FOUND.with("There is no webhook " + name
                    + ": list it in twingress.ingress.webhooks.");
        }
        // a request with no device id where the webhook looks, or whose body is not JSON, still goes on: a rule may
        // place it, and otherwise it is kept in the dead letters with the reason, as every connector's messages are
        String deviceId;
        if (from.startsWith("header:")) {
            deviceId = only(request.headerAll(from.substring(7)), from);
        } else if (from.startsWith("query:")) {
            deviceId = only(request.queryAll(from.substring(6)), from);
        } else {
            JsonNode at;
            try {
                at = Json.parseSent(exchange.getMessage().getBody(byte[].class));
            } catch (IllegalArgumentException e) {
                at = MissingNode.getInstance();
            }
            for (String part : from.substring(from.indexOf(':') + 1).split("\\.")) {
                at = at.path(part);
            }
            deviceId = at.isValueNode() ? at.asText() : null;
        }
        envelope(exchange, IngressHeaders.HTTP_SOURCE + "webhook:" + name, deviceId, first(request.header("Message-Id"),
                request.header("x-ms-client-tracking-id")), null, request.header(Exchange.CONTENT_TYPE), null);
    }

    private void envelope(Exchange exchange, String source, String deviceId, String messageId, String sourceTime,
            String contentType, String contentEncoding) {
        Message m = exchange.getMessage();
        byte[] body = m.getBody(byte[].class);
        m.getHeaders().clear();
        // without an id from the sender, every request is a new message
        new IngressMessage(source, messageId != null ? messageId : UUID.randomUUID().toString(), deviceId,
                clock.instant().toString(), sourceTime, contentType, contentEncoding,
                body == null ? new byte[0] : body).writeTo(m);
    }

    /**
     * The body as bytes, so that it can be read more than once (a stream can be read once). A form is refused: the
     * server decoded it, so neither applying it nor keeping it as a dead letter could keep what was sent.
     */
    private void materialize(Exchange exchange) {
        ApiSupport.refuseForm(exchange);
        byte[] body = exchange.getMessage().getBody(byte[].class);
        if (body != null && body.length > maxMessageSize) {
            throw AdtError.PAYLOAD_TOO_LARGE.with("The message is " + body.length + " bytes; this server takes at most "
                    + maxMessageSize + " (twingress.ingress.http.maxMessageSize).");
        }
        exchange.getMessage().setBody(body == null ? new byte[0] : body);
    }

    /** The one device id a header or query parameter gives; two that differ leave the device unknown, so refused. */
    private static String only(List<String> values, String where) {
        if (values.stream().distinct().count() > 1) {
            throw AdtError.INVALID_ARGUMENT.with("The request names more than one device in " + where + ": "
                    + String.join(", ", values) + ".");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    private static String first(String a, String b) {
        return a != null && !a.isBlank() ? a : b;
    }
}
