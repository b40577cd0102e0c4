package io.twingress.event;

import java.time.DateTimeException;
import java.time.Instant;
import java.util.Objects;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtException;
import io.twingress.Json;

/**
 * One egress endpoint as {@code PUT /endpoints/{name}} defines it: ADT's ARM endpoint resource
 * ({@code {"properties": {"endpointType": ..., ...}}}) for EventHub, ServiceBus and EventGrid, plus Kafka, Webhook
 * and Mqtt, each with a retry policy and a dead-letter location.
 * <p>
 * Secrets (connection strings, keys, passwords, tokens) are write-only, as in ARM: {@link #toResource()} shows each
 * secret key with the value null, and {@link #toString()} masks them. So a PUT that replaces an endpoint must send
 * its secrets again; one that leaves them out (or sends the nulls GET returned) is refused as missing them.
 * Only {@link #toStored()} holds them, for the store.
 *
 * @param createdTime when the endpoint was first created; the caller decides (keep the old one on replace)
 */
public record EndpointSpec(String name, AuthenticationType authenticationType, EndpointSettings settings,
        RetryPolicy retryPolicy, DeadLetter deadLetter, Instant createdTime) {

    public EndpointSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(authenticationType, "authenticationType");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(retryPolicy, "retryPolicy");
        Objects.requireNonNull(deadLetter, "deadLetter");
        Objects.requireNonNull(createdTime, "createdTime");
    }

    /**
     * Parses and validates a PUT body for endpoint {@code name}.
     *
     * @param limits      the range {@code retryPolicy.timeToLive} must fall in
     * @param createdTime the time to show as {@code createdTime}
     * @throws AdtException INVALID_ARGUMENT naming the property, what is wrong and what is allowed; never quoting
     *                      a secret
     */
    public static EndpointSpec parse(String name, JsonNode body, EndpointLimits limits, Instant createdTime) {
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(createdTime, "createdTime");
        return EndpointCodec.parse(name, body, limits, createdTime);
    }

    /** Throws AdtException INVALID_ARGUMENT unless {@code name} follows ADT's rule for endpoint names. */
    public static void checkName(String name) {
        EndpointCodec.checkName(name);
    }

    /** The form to keep in the store: JSON text with the secrets; {@link #fromStored} reads it back. */
    public String toStored() {
        ObjectNode stored = Json.object();
        stored.put("createdTime", createdTime.toString());
        stored.set("properties", EndpointCodec.properties(this, true));
        return Json.write(stored);
    }

    /**
     * Reads back what {@link #toStored()} wrote. The time-to-live limits are not checked again: an endpoint stays as
     * it was accepted even if the limits have changed since.
     *
     * @throws IllegalStateException if the text is not such a form
     */
    public static EndpointSpec fromStored(String name, String stored) {
        JsonNode node;
        try {
            node = Json.parse(stored);
        } catch (IllegalArgumentException e) {
            // Jackson's message may quote the text around the fault, which may be a secret
            throw new IllegalStateException("stored endpoint " + name + " is not JSON");
        }
        try {
            Instant createdTime = Instant.parse(node.path("createdTime").asText());
            ObjectNode body = Json.object();
            body.set("properties", node.get("properties"));
            return EndpointCodec.parse(name, body, EndpointLimits.ANY, createdTime);
        } catch (AdtException | DateTimeException e) {
            // the message names keys and what is wrong with them, never a secret
            throw new IllegalStateException("stored endpoint " + name + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** The resource as GET returns it, secrets present as null. */
    public ObjectNode toResource() {
        ObjectNode resource = Json.object();
        resource.put("id", "/endpoints/" + name);
        resource.put("name", name);
        resource.put("type", EndpointCodec.RESOURCE_TYPE);
        resource.set("properties", EndpointCodec.properties(this, false));
        return resource;
    }

    public EndpointType type() {
        return settings.type();
    }
}
