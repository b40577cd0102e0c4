package io.twingress.query;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.store.NumericBound;

/**
 * What the query engine reads: twins and relationships exactly as the REST API returns them, and the
 * model hierarchy. Implemented over the store; every read sees all writes committed before it started.
 * Lists are ordered by id so that a continuation can resume after the last id it returned.
 */
public interface GraphSource {

    /** The twin, or null. */
    ObjectNode twin(String id);

    /** The twins among these ids that exist, by id; a source should read them all at once. */
    default Map<String, ObjectNode> twins(Collection<String> ids) {
        Map<String, ObjectNode> found = new HashMap<>();
        for (String id : ids) {
            ObjectNode twin = twin(id);
            if (twin != null) {
                found.put(id, twin);
            }
        }
        return found;
    }

    /**
     * Twins in ascending {@code $dtId} order with ids strictly greater than {@code afterId} (null = from the
     * start), at most {@code limit}. When {@code modelIds} is not null only twins whose {@code $metadata.$model}
     * is in it are returned; this is a hint to narrow the scan, the engine still evaluates its predicate.
     */
    List<ObjectNode> twins(Collection<String> modelIds, String afterId, int limit);

    /**
     * As {@link #twins(Collection, String, int)}, where the source may also skip twins that the numeric bounds
     * rule out; it must never skip one they allow.
     */
    default List<ObjectNode> twins(Collection<String> modelIds, List<NumericBound> bounds, String afterId, int limit) {
        return twins(modelIds, afterId, limit);
    }

    /**
     * Relationships in ascending ({@code $sourceId}, {@code $relationshipId}) order after the given position
     * (both null = from the start), at most {@code limit}.
     */
    List<ObjectNode> relationships(String afterSourceId, String afterRelationshipId, int limit);

    /** The relationship, or null. */
    ObjectNode relationship(String sourceId, String relationshipId);

    /**
     * Outgoing relationships of a twin in ascending {@code $relationshipId} order, with ids strictly greater than
     * {@code afterId} (null = from the start), at most {@code limit}. {@code names} null means any name; the engine
     * never passes an empty set.
     */
    List<ObjectNode> outgoing(String sourceId, Set<String> names, String afterId, int limit);

    /**
     * Incoming relationships of a twin in ascending ({@code $sourceId}, {@code $relationshipId}) order after the
     * given position (both null = from the start), at most {@code limit}; {@code names} as for {@link #outgoing}.
     */
    List<ObjectNode> incoming(String targetId, Set<String> names, String afterSourceId, String afterRelationshipId,
                              int limit);

    /** The model and every stored model that derives from it (directly or not). Empty if unknown. */
    Set<String> modelAndDerived(String modelId);

    /** The number of twins, optionally only of the given models. */
    long countTwins(Collection<String> modelIds);
}
