package io.twingress.query;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Json;
import io.twingress.model.ModelService;
import io.twingress.store.NumericBound;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;

/**
 * The query engine's view of the store. Every call reads the store itself, so a query sees every write that
 * returned before it was sent (ADT's queries may lag writes by seconds; these do not).
 */
public final class StoreGraphSource implements GraphSource {

    private final TwinStore store;
    private final ModelService models;

    public StoreGraphSource(TwinStore store, ModelService models) {
        this.store = store;
        this.models = models;
    }

    @Override
    public ObjectNode twin(String id) {
        StoredTwin twin = store.read(tx -> tx.twin(id));
        return twin == null ? null : Json.parseObject(twin.body());
    }

    @Override
    public Map<String, ObjectNode> twins(Collection<String> ids) {
        Map<String, ObjectNode> found = new HashMap<>();
        store.read(tx -> tx.twinsById(ids)).forEach(t -> found.put(t.id(), Json.parseObject(t.body())));
        return found;
    }

    @Override
    public List<ObjectNode> twins(Collection<String> modelIds, String afterId, int limit) {
        return twinBodies(store.read(tx -> tx.twins(modelIds, afterId, limit)));
    }

    @Override
    public List<ObjectNode> twins(Collection<String> modelIds, List<NumericBound> bounds, String afterId, int limit) {
        return twinBodies(store.read(tx -> tx.twins(modelIds, bounds, afterId, limit)));
    }

    @Override
    public List<ObjectNode> relationships(String afterSourceId, String afterRelationshipId, int limit) {
        return relationshipBodies(store.read(tx -> tx.relationships(afterSourceId, afterRelationshipId, limit)));
    }

    @Override
    public ObjectNode relationship(String sourceId, String relationshipId) {
        StoredRelationship relationship = store.read(tx -> tx.relationship(sourceId, relationshipId));
        return relationship == null ? null : Json.parseObject(relationship.body());
    }

    @Override
    public List<ObjectNode> outgoing(String sourceId, Set<String> names, String afterId, int limit) {
        return relationshipBodies(store.read(tx -> tx.outgoing(sourceId, names, afterId, limit)));
    }

    @Override
    public List<ObjectNode> incoming(String targetId, Set<String> names, String afterSourceId,
                                     String afterRelationshipId, int limit) {
        return relationshipBodies(store.read(tx -> tx.incoming(targetId, names, afterSourceId, afterRelationshipId,
                limit)));
    }

    @Override
    public Set<String> modelAndDerived(String modelId) {
        return models.modelAndDerived(modelId);
    }

    @Override
    public long countTwins(Collection<String> modelIds) {
        return store.read(tx -> tx.countTwins(modelIds));
    }

    private static List<ObjectNode> twinBodies(List<StoredTwin> rows) {
        List<ObjectNode> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(Json.parseObject(r.body())));
        return out;
    }

    private static List<ObjectNode> relationshipBodies(List<StoredRelationship> rows) {
        List<ObjectNode> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(Json.parseObject(r.body())));
        return out;
    }
}
