package io.twingress.twin;

import static io.twingress.twin.TwinChecks.existingRelationship;
import static io.twingress.twin.TwinChecks.existingTwin;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.model.Content;
import io.twingress.model.InterfaceModel;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;

/**
 * A twin's relationships as ADT keeps them: created, patched and deleted under the source twin, checked against
 * the source's model and the target's model. The name and target of a relationship never change.
 */
public final class RelationshipOperations {

    private final TwinStore store;
    private final TwinModels models;
    private final ChangeLog changes;

    public RelationshipOperations(TwinStore store, TwinModels models) {
        this(store, models, ChangeLog.NONE);
    }

    public RelationshipOperations(TwinStore store, TwinModels models, ChangeLog changes) {
        this.store = store;
        this.models = models;
        this.changes = changes;
    }

    public ObjectNode get(String sourceId, String relationshipId) {
        return Json.parseObject(store.read(tx -> existingRelationship(tx, tx.relationship(sourceId, relationshipId),
                sourceId, relationshipId)).body());
    }

    public TwinOperations.Written put(String sourceId, String relationshipId, JsonNode request, String ifNoneMatch) {
        return put(sourceId, relationshipId, request, ifNoneMatch, null);
    }

    /** Creates or replaces a relationship; {@code traceparent} (or null) goes with the change's event. */
    public TwinOperations.Written put(String sourceId, String relationshipId, JsonNode request, String ifNoneMatch,
            String traceparent) {
        TwinChecks.checkId(relationshipId);
        ObjectNode body = TwinChecks.requireObject(request, "relationship");
        String targetId = textField(body, "$targetId");
        String name = textField(body, "$relationshipName");
        // $sourceId and $relationshipId in the body are ignored, as ADT does: the path names the relationship
        if (sourceId.equals(targetId)) {
            throw AdtError.OPERATION_NOT_ALLOWED.with("A relationship cannot point from twin " + sourceId
                    + " to itself.");
        }
        ObjectNode properties = Json.object();
        body.fields().forEachRemaining(f -> {
            if (!f.getKey().startsWith("$")) {
                properties.set(f.getKey(), f.getValue().deepCopy());
            }
        });
        boolean createOnly = TwinChecks.createOnly(ifNoneMatch);
        return store.write(tx -> {
            StoredTwin source = existingTwin(tx.twinForShare(sourceId), sourceId);
            StoredTwin target = tx.twinForShare(targetId);
            if (target == null) {
                throw AdtError.TARGET_TWIN_NOT_FOUND.with("The target twin " + targetId + " does not exist.");
            }
            Content.Relationship declared = models.declaredRelationship(source, name);
            if (declared.target() != null) {
                InterfaceModel targetModel = models.find(target.modelId());
                if (targetModel == null || !targetModel.isA(declared.target())) {
                    throw AdtError.INVALID_RELATIONSHIP.with("Relationship '" + name + "' of model "
                            + source.modelId() + " must target a twin of model " + declared.target() + "; twin "
                            + targetId + " is of model " + target.modelId() + ".");
                }
            }
            TwinValidator.validateRelationshipProperties(declared, properties);
            StoredRelationship existing = tx.relationshipForUpdate(sourceId, relationshipId);
            if (existing != null && createOnly) {
                throw AdtError.PRECONDITION_FAILED.with("Relationship " + relationshipId + " already exists"
                        + " (If-None-Match: *).");
            }
            if (existing != null && (!existing.targetId().equals(targetId) || !existing.name().equals(name))) {
                throw AdtError.OPERATION_NOT_ALLOWED.with("Relationship " + relationshipId + " already exists as '"
                        + existing.name() + "' to " + existing.targetId() + "; its name and target cannot change."
                        + " Delete it and create it again.");
            }
            String etag = TwinChecks.newEtag();
            ObjectNode rel = body(relationshipId, etag, sourceId, targetId, name, properties);
            StoredRelationship row = new StoredRelationship(sourceId, relationshipId, targetId, name, etag,
                    Json.write(rel));
            if (existing == null) {
                tx.insertRelationship(row);
                changes.record(tx, new Change(Change.Kind.RELATIONSHIP_CREATE, sourceId, relationshipId,
                        source.modelId(), null, null, rel, traceparent));
            } else {
                tx.updateRelationship(row);
                changes.record(tx, new Change(Change.Kind.RELATIONSHIP_UPDATE, sourceId, relationshipId,
                        source.modelId(), JsonDiff.diff(Json.parseObject(existing.body()), rel), existing.body(), rel,
                        traceparent));
            }
            return new TwinOperations.Written(rel, etag);
        });
    }

    public String patch(String sourceId, String relationshipId, JsonNode document, String ifMatch) {
        return patch(sourceId, relationshipId, document, ifMatch, null);
    }

    public String patch(String sourceId, String relationshipId, JsonNode document, String ifMatch,
            String traceparent) {
        List<PatchOperation> ops = PatchOperation.parseAll(document);
        return store.write(tx -> {
            StoredRelationship existing = existingRelationship(tx, tx.relationshipForUpdate(sourceId, relationshipId),
                    sourceId, relationshipId);
            TwinChecks.checkIfMatch(ifMatch, existing.etag(), "Relationship " + relationshipId);
            if (ops.isEmpty()) {
                return existing.etag();
            }
            ObjectNode properties = Json.parseObject(existing.body());
            properties.remove(List.of("$relationshipId", "$etag", "$sourceId", "$targetId", "$relationshipName"));
            for (PatchOperation op : ops) {
                if (op.path().stream().anyMatch(t -> t.startsWith("$"))) {
                    throw PatchOperation.invalid("Cannot " + op.op() + " " + op.pointer()
                            + ": a relationship's system properties cannot be patched.");
                }
                JsonPatcher.apply(properties, op, op.path());
            }
            StoredTwin source = existingTwin(tx.twinForShare(sourceId), sourceId);
            TwinValidator.validateRelationshipProperties(models.declaredRelationship(source, existing.name()),
                    properties);
            String etag = TwinChecks.newEtag();
            ObjectNode rel = body(relationshipId, etag, sourceId, existing.targetId(), existing.name(), properties);
            tx.updateRelationship(new StoredRelationship(sourceId, relationshipId, existing.targetId(),
                    existing.name(), etag, Json.write(rel)));
            changes.record(tx, new Change(Change.Kind.RELATIONSHIP_UPDATE, sourceId, relationshipId,
                    source.modelId(), PatchOperation.toJson(ops), existing.body(), rel, traceparent));
            return etag;
        });
    }

    public void delete(String sourceId, String relationshipId, String ifMatch) {
        delete(sourceId, relationshipId, ifMatch, null);
    }

    public void delete(String sourceId, String relationshipId, String ifMatch, String traceparent) {
        store.write(tx -> {
            StoredRelationship existing = existingRelationship(tx, tx.relationshipForUpdate(sourceId, relationshipId),
                    sourceId, relationshipId);
            TwinChecks.checkIfMatch(ifMatch, existing.etag(), "Relationship " + relationshipId);
            tx.deleteRelationship(sourceId, relationshipId);
            StoredTwin source = tx.twin(sourceId);
            changes.record(tx, new Change(Change.Kind.RELATIONSHIP_DELETE, sourceId, relationshipId,
                    source == null ? null : source.modelId(), null, existing.body(), null, traceparent));
            return null;
        });
    }

    /** One page of a twin's outgoing relationships after {@code afterId}; the twin must exist. */
    public List<ObjectNode> listOutgoing(String sourceId, String name, String afterId, int limit) {
        return store.read(tx -> {
            existingTwin(tx.twin(sourceId), sourceId);
            List<StoredRelationship> rows = tx.outgoing(sourceId, name == null ? null : List.of(name), afterId, limit);
            List<ObjectNode> out = new ArrayList<>(rows.size());
            rows.forEach(r -> out.add(Json.parseObject(r.body())));
            return out;
        });
    }

    /**
     * One page of a twin's incoming relationships in ADT's short form ({@code $relationshipId}, {@code $sourceId},
     * {@code $relationshipName}, {@code $relationshipLink}); the twin must exist.
     */
    public List<ObjectNode> listIncoming(String targetId, String afterSourceId, String afterId, int limit) {
        List<StoredRelationship> rows = store.read(tx -> {
            existingTwin(tx.twin(targetId), targetId);
            return tx.incoming(targetId, null, afterSourceId, afterId, limit);
        });
        List<ObjectNode> out = new ArrayList<>(rows.size());
        for (StoredRelationship r : rows) {
            out.add(Json.object()
                    .put("$relationshipId", r.id())
                    .put("$sourceId", r.sourceId())
                    .put("$relationshipName", r.name())
                    .put("$relationshipLink", "/digitaltwins/" + pathSegment(r.sourceId()) + "/relationships/"
                            + pathSegment(r.id())));
        }
        return out;
    }

    /** Ids may hold any character but control characters; a link names them percent-encoded. */
    private static String pathSegment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static ObjectNode body(String id, String etag, String sourceId, String targetId, String name,
            ObjectNode properties) {
        ObjectNode rel = Json.object();
        rel.put("$relationshipId", id);
        rel.put("$etag", etag);
        rel.put("$sourceId", sourceId);
        rel.put("$targetId", targetId);
        rel.put("$relationshipName", name);
        rel.setAll(properties);
        return rel;
    }

    private static String textField(ObjectNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw AdtError.VALIDATION_FAILED.with("The relationship needs " + name + " as a non-empty string.");
        }
        return value.asText();
    }
}
