package io.twingress.store;

import java.time.Instant;
import java.util.Collection;
import java.util.List;

/**
 * The operations of one unit of work. Methods named {@code ...ForUpdate} lock the row until the unit ends, so
 * that writes to one twin are serialized; {@link #twinForShare} keeps a twin from being deleted meanwhile.
 */
public interface StoreTx {

    // models

    /** The version of the model set as this unit sees it; every unit that changes models moves it on. */
    long modelsVersion();

    /**
     * Moves the model-set version on and returns the new value, holding the models lock until the unit ends. A unit
     * must call it before it inserts, decommissions or deletes a model: the units that change models then run one
     * at a time across every instance sharing the store, and each sees the model set its predecessor committed.
     */
    long lockModels();

    void insertModel(StoredModel model);

    StoredModel model(String id);

    /** Every model in upload order. */
    List<StoredModel> models();

    void updateModelDecommissioned(String id, boolean decommissioned);

    void deleteModel(String id);

    // twins

    StoredTwin twin(String id);

    StoredTwin twinForUpdate(String id);

    /** The twins among these ids that exist, in no particular order. */
    List<StoredTwin> twinsById(Collection<String> ids);

    StoredTwin twinForShare(String id);

    void insertTwin(StoredTwin twin);

    void updateTwin(StoredTwin twin);

    void deleteTwin(String id);

    /** Twins ordered by id, after {@code afterId} (null: from the start); {@code modelIds} null means any model. */
    default List<StoredTwin> twins(Collection<String> modelIds, String afterId, int limit) {
        return twins(modelIds, List.of(), afterId, limit);
    }

    /** As {@link #twins(Collection, String, int)}; the store may also use the bounds to skip twins. */
    List<StoredTwin> twins(Collection<String> modelIds, List<NumericBound> bounds, String afterId, int limit);

    long countTwins(Collection<String> modelIds);

    // relationships

    StoredRelationship relationship(String sourceId, String id);

    StoredRelationship relationshipForUpdate(String sourceId, String id);

    void insertRelationship(StoredRelationship relationship);

    void updateRelationship(StoredRelationship relationship);

    void deleteRelationship(String sourceId, String id);

    /** Outgoing relationships ordered by id after {@code afterId}; {@code names} null or empty means all. */
    List<StoredRelationship> outgoing(String sourceId, Collection<String> names, String afterId, int limit);

    /** Incoming relationships ordered by (source, id) after the given position; {@code names} null means all. */
    List<StoredRelationship> incoming(String targetId, Collection<String> names, String afterSourceId,
            String afterId, int limit);

    /** All relationships ordered by (source, id) after the given position. */
    List<StoredRelationship> relationships(String afterSourceId, String afterId, int limit);

    /** True if the twin is the source or the target of any relationship. */
    boolean hasRelationships(String twinId);

    // ingress

    /** Records a message id within a scope; false if it was already recorded (a duplicate). */
    boolean markSeen(String scope, String messageId);

    /** Forgets up to {@code limit} message ids recorded before {@code before}; returns how many. */
    int pruneSeen(Instant before, int limit);
}
