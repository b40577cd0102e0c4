package io.twingress.store;

/** A relationship row; {@code body} is the relationship JSON exactly as GET returns it. */
public record StoredRelationship(String sourceId, String id, String targetId, String name, String etag, String body) {
}
