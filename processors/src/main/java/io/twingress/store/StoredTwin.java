package io.twingress.store;

/** A twin row; {@code body} is the twin JSON exactly as GET returns it. */
public record StoredTwin(String id, String modelId, String etag, String body) {
}
