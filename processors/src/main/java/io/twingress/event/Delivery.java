package io.twingress.event;

import java.time.Instant;

import io.cloudevents.CloudEvent;

import io.twingress.store.OutboxPosition;

/**
 * One event on its way to one endpoint through one route (a route id of null: a replayed dead letter). It must
 * be delivered, or dead-lettered, by {@code expiresAt}.
 */
public record Delivery(OutboxPosition position, String routeId, CloudEvent event, Instant expiresAt) {
}
