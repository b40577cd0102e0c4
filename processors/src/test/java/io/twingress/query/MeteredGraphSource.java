package io.twingress.query;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.store.NumericBound;

/**
 * Reads through another {@link GraphSource} and counts the rows its reads return. Optionally every read that
 * returns one chosen twin takes some time on {@link #clock}, a clock that moves only then, so that a test can run a
 * query into its time limit without waiting.
 */
final class MeteredGraphSource implements GraphSource {

    private final GraphSource delegate;
    private String slowTwin;
    private Duration stall = Duration.ZERO;
    private Instant now = Instant.parse("2024-01-01T00:00:00Z");
    private long rowsRead;

    final Clock clock = new Clock() {
        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    MeteredGraphSource(GraphSource delegate) {
        this.delegate = delegate;
    }

    /** Makes every read that returns this twin take {@code duration}. */
    MeteredGraphSource stallOn(String twinId, Duration duration) {
        this.slowTwin = twinId;
        this.stall = duration;
        return this;
    }

    long rowsRead() {
        return rowsRead;
    }

    private <T> T read(int rows, boolean slow, T result) {
        rowsRead += rows;
        if (slow) {
            now = now.plus(stall);
        }
        return result;
    }

    private List<ObjectNode> twinList(List<ObjectNode> twins) {
        return read(twins.size(), twins.stream().anyMatch(t -> t.get("$dtId").asText().equals(slowTwin)), twins);
    }

    private List<ObjectNode> relationshipList(List<ObjectNode> relationships) {
        return read(relationships.size(), false, relationships);
    }

    @Override
    public ObjectNode twin(String id) {
        ObjectNode twin = delegate.twin(id);
        return read(twin == null ? 0 : 1, id.equals(slowTwin), twin);
    }

    @Override
    public Map<String, ObjectNode> twins(Collection<String> ids) {
        Map<String, ObjectNode> twins = delegate.twins(ids);
        return read(twins.size(), twins.containsKey(slowTwin), twins);
    }

    @Override
    public List<ObjectNode> twins(Collection<String> modelIds, String afterId, int limit) {
        return twinList(delegate.twins(modelIds, afterId, limit));
    }

    @Override
    public List<ObjectNode> twins(Collection<String> modelIds, List<NumericBound> bounds, String afterId, int limit) {
        return twinList(delegate.twins(modelIds, bounds, afterId, limit));
    }

    @Override
    public List<ObjectNode> relationships(String afterSourceId, String afterRelationshipId, int limit) {
        return relationshipList(delegate.relationships(afterSourceId, afterRelationshipId, limit));
    }

    @Override
    public ObjectNode relationship(String sourceId, String relationshipId) {
        ObjectNode relationship = delegate.relationship(sourceId, relationshipId);
        return read(relationship == null ? 0 : 1, false, relationship);
    }

    @Override
    public List<ObjectNode> outgoing(String sourceId, Set<String> names, String afterId, int limit) {
        return relationshipList(delegate.outgoing(sourceId, names, afterId, limit));
    }

    @Override
    public List<ObjectNode> incoming(String targetId, Set<String> names, String afterSourceId,
                                     String afterRelationshipId, int limit) {
        return relationshipList(delegate.incoming(targetId, names, afterSourceId, afterRelationshipId, limit));
    }

    @Override
    public Set<String> modelAndDerived(String modelId) {
        return delegate.modelAndDerived(modelId);
    }

    @Override
    public long countTwins(Collection<String> modelIds) {
        return delegate.countTwins(modelIds);
    }
}
