package io.twingress.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Json;
import io.twingress.model.ModelService;
import io.twingress.query.GraphSource;
import io.twingress.store.NumericBound;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;

/**
 * The same reads as the production {@code StoreGraphSource} (one read unit per call, then parse every body),
 * with the store call and the JSON parsing timed apart. Whatever a query costs beyond the two is the engine's
 * own work: planning, evaluating the WHERE clause, projecting and encoding the token. A poor man's profiler
 * that needs no agent and attributes time exactly to the three places an optimisation would go.
 */
final class TimedGraphSource implements GraphSource {

    private final TwinStore store;
    private final ModelService models;
    long storeNanos;
    long parseNanos;
    long storeCalls;
    long rows;

    TimedGraphSource(TwinStore store, ModelService models) {
        this.store = store;
        this.models = models;
    }

    void reset() {
        storeNanos = 0;
        parseNanos = 0;
        storeCalls = 0;
        rows = 0;
    }

    private <T> T timed(Supplier<T> read) {
        long start = System.nanoTime();
        try {
            return read.get();
        } finally {
            storeNanos += System.nanoTime() - start;
            storeCalls++;
        }
    }

    private ObjectNode parse(String body) {
        long start = System.nanoTime();
        ObjectNode node = Json.parseObject(body);
        parseNanos += System.nanoTime() - start;
        rows++;
        return node;
    }

    @Override
    public ObjectNode twin(String id) {
        StoredTwin twin = timed(() -> store.read(tx -> tx.twin(id)));
        return twin == null ? null : parse(twin.body());
    }

    @Override
    public Map<String, ObjectNode> twins(Collection<String> ids) {
        List<StoredTwin> found = timed(() -> store.read(tx -> tx.twinsById(ids)));
        Map<String, ObjectNode> out = new HashMap<>();
        found.forEach(t -> out.put(t.id(), parse(t.body())));
        return out;
    }

    @Override
    public List<ObjectNode> twins(Collection<String> modelIds, String afterId, int limit) {
        List<StoredTwin> found = timed(() -> store.read(tx -> tx.twins(modelIds, afterId, limit)));
        List<ObjectNode> out = new ArrayList<>(found.size());
        found.forEach(t -> out.add(parse(t.body())));
        return out;
    }

    @Override
    public List<ObjectNode> twins(Collection<String> modelIds, List<NumericBound> bounds, String afterId, int limit) {
        List<StoredTwin> found = timed(() -> store.read(tx -> tx.twins(modelIds, bounds, afterId, limit)));
        List<ObjectNode> out = new ArrayList<>(found.size());
        found.forEach(t -> out.add(parse(t.body())));
        return out;
    }

    @Override
    public List<ObjectNode> relationships(String afterSourceId, String afterRelationshipId, int limit) {
        return bodies(timed(() -> store.read(tx -> tx.relationships(afterSourceId, afterRelationshipId, limit))));
    }

    @Override
    public ObjectNode relationship(String sourceId, String relationshipId) {
        StoredRelationship found = timed(() -> store.read(tx -> tx.relationship(sourceId, relationshipId)));
        return found == null ? null : parse(found.body());
    }

    @Override
    public List<ObjectNode> outgoing(String sourceId, Set<String> names, String afterId, int limit) {
        return bodies(timed(() -> store.read(tx -> tx.outgoing(sourceId, names, afterId, limit))));
    }

    @Override
    public List<ObjectNode> incoming(String targetId, Set<String> names, String afterSourceId,
                                     String afterRelationshipId, int limit) {
        return bodies(timed(() -> store.read(tx -> tx.incoming(targetId, names, afterSourceId, afterRelationshipId,
                limit))));
    }

    @Override
    public Set<String> modelAndDerived(String modelId) {
        return models.modelAndDerived(modelId);
    }

    @Override
    public long countTwins(Collection<String> modelIds) {
        return timed(() -> store.read(tx -> tx.countTwins(modelIds)));
    }

    private List<ObjectNode> bodies(List<StoredRelationship> found) {
        List<ObjectNode> out = new ArrayList<>(found.size());
        found.forEach(r -> out.add(parse(r.body())));
        return out;
    }
}
