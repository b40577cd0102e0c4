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
 * Reads through another {@link GraphSource}, except that every read returning one chosen twin takes {@code stall}
 * on {@link #clock}, a clock that moves only then. Lets a test run a query into its time limit without waiting.
 */
final class StallingGraphSource implements GraphSource {

    private final GraphSource delegate;
    private final String slowTwin;
    private final Duration stall;
    private Instant now = Instant.parse("2024-01-01T00:00:00Z");

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

    StallingGraphSource(GraphSource delegate, String slowTwin, Duration stall) {
        this.delegate = delegate;
        this.slowTwin = slowTwin;
        this.stall = stall;
    }

    private <T> T stallIf(boolean slow, T result) {
        if (slow) {
            now = now.plus(stall);
        }
        return result;
    }

    private List<ObjectNode> stallIfListed(List<ObjectNode> twins) {
        return stallIf(twins.stream().anyMatch(t -> t.get("$dtId").asText().equals(slowTwin)), twins);
    }

    @Override
    public ObjectNode twin(String id) {
        return stallIf(id.equals(slowTwin), delegate.twin(id));
    }

    @Override
    public Map<String, ObjectNode> twins(Collection<String> ids) {
        return stallIf(ids.contains(slowTwin), delegate.twins(ids));
    }

    @Override
    public List<ObjectNode> twins(Collection<String> modelIds, String afterId, int limit) {
        return stallIfListed(delegate.twins(modelIds, afterId, limit));
    }

    @Override
    public List<ObjectNode> twins(Collection<String> modelIds, List<NumericBound> bounds, String afterId, int limit) {
        return stallIfListed(delegate.twins(modelIds, bounds, afterId, limit));
    }

    @Override
    public List<ObjectNode> relationships(String afterSourceId, String afterRelationshipId, int limit) {
        return delegate.relationships(afterSourceId, afterRelationshipId, limit);
    }

    @Override
    public List<ObjectNode> outgoing(String sourceId, Set<String> names) {
        return delegate.outgoing(sourceId, names);
    }

    @Override
    public List<ObjectNode> incoming(String targetId, Set<String> names) {
        return delegate.incoming(targetId, names);
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
