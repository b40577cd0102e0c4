package io.twingress.event;

/** The kinds of egress endpoint; the constant names are the {@code endpointType} values, case-sensitive. */
public enum EndpointType {
    EventHub, ServiceBus, EventGrid, Kafka, Webhook, Mqtt
}
