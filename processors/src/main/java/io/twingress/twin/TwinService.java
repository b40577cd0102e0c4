package io.twingress.twin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Json;
import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.model.Content;
import io.twingress.model.InterfaceModel;
import io.twingress.model.ModelService;
import io.twingress.model.Rfc3339;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredModel;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;

/**
 * The twin graph's rules: creating, patching and deleting twins and relationships as ADT does, each change one
 * transaction in which the twin's row is locked, so writes to one twin apply one after another.
 */
public final class TwinService {

    private static final String METADATA = "$metadata";

    /** A twin or relationship as stored and returned, with its new ETag. */
    public record Written(ObjectNode body, String etag) {
    }

    private final TwinStore store;
    private final ModelService models;

    public TwinService(TwinStore store, ModelService models) {
        this.store = store;
        this.models = models;
    }

    public TwinStore store() {
        return store;
    }

    // ---- twins

    public ObjectNode getTwin(String id) {
        return Json.parseObject(store.read(tx -> existingTwin(tx.twin(id), id)).body());
    }

    public Written putTwin(String id, JsonNode request, String ifNoneMatch) {
        checkTwinId(id);
        ObjectNode body = requireObject(request, "twin");
        JsonNode requestMetadata = body.path(METADATA);
        String modelId = requestMetadata.path("$model").asText(null);
        if (modelId == null) {
            throw AdtError.VALIDATION_FAILED.with("The twin needs a model: set $metadata.$model to a model id.");
        }
        if (body.has("$dtId") && !id.equals(body.get("$dtId").asText())) {
            throw AdtError.VALIDATION_FAILED.with("$dtId '" + body.get("$dtId").asText() + "' does not match the twin id '"
                    + id + "' in the path.");
        }
        InterfaceModel model = usableModel(modelId);
        ObjectNode content = Json.object();
        body.fields().forEachRemaining(f -> {
            if (!f.getKey().startsWith("$")) {
                content.set(f.getKey(), f.getValue().deepCopy());
            }
        });
        TwinValidator.validateTwin(model, content, this::componentModel);
        boolean createOnly = createOnly(ifNoneMatch);
        String now = Instant.now().toString();
        Map<String, String> sourceTimes = requestSourceTimes(model, body);
        // a component's metadata is the service's to write; only the source times above are taken from it
        content.forEach(value -> {
            if (value instanceof ObjectNode component) {
                component.remove(METADATA);
            }
        });
        Set<String> touched = new HashSet<>(sourceTimes.keySet());
        touched.addAll(propertyPaths(model, content));
        String etag = newEtag();
        ObjectNode twin = assemble(id, etag, model, content, Json.object(), touched, sourceTimes, now);
        String json = Json.write(twin);
        TwinValidator.checkSize(json);
        store.write(tx -> {
            checkModelRow(tx, model.id());
            StoredTwin existing = tx.twinForUpdate(id);
            if (existing != null && createOnly) {
                throw AdtError.PRECONDITION_FAILED.with("Twin " + id + " already exists (If-None-Match: *).");
            }
            StoredTwin row = new StoredTwin(id, model.id(), etag, json);
            if (existing == null) {
                tx.insertTwin(row);
            } else {
                tx.updateTwin(row);
            }
            return null;
        });
        return new Written(twin, etag);
    }

    public String patchTwin(String id, JsonNode document, String ifMatch) {
        List<PatchOperation> ops = PatchOperation.parseAll(document);
        return store.write(tx -> {
            StoredTwin existing = existingTwin(tx.twinForUpdate(id), id);
            checkIfMatch(ifMatch, existing.etag(), "Twin " + id);
            if (ops.isEmpty()) {
                return existing.etag();
            }
            ObjectNode twin = Json.parseObject(existing.body());
            ObjectNode oldMetadata = (ObjectNode) twin.get(METADATA);
            ObjectNode content = contentOf(twin);
            String modelId = existing.modelId();
            Map<String, String> sourceTimes = new HashMap<>();
            Set<String> touched = new HashSet<>();
            Set<String> componentNames = componentNames(models.find(modelId));
            for (PatchOperation op : ops) {
                List<String> path = op.path();
                if (path.get(0).equals(METADATA)) {
                    if (path.size() == 2 && path.get(1).equals("$model") && !op.op().equals("remove")) {
                        if (!op.value().isTextual()) {
                            throw PatchOperation.invalid("/$metadata/$model must be a model id string.");
                        }
                        modelId = op.value().asText();
                        componentNames = componentNames(models.find(modelId));
                    } else if (path.size() == 3 && path.get(2).equals("sourceTime")) {
                        sourceTimes.put(path.get(1), sourceTime(op));
                    } else {
                        throw PatchOperation.invalid("Cannot " + op.op() + " " + op.pointer()
                                + ": only /$metadata/$model and /$metadata/<property>/sourceTime can be patched.");
                    }
                } else if (path.size() == 4 && path.get(1).equals(METADATA) && path.get(3).equals("sourceTime")
                        && componentNames.contains(path.get(0))) {
                    sourceTimes.put(path.get(0) + "/" + path.get(2), sourceTime(op));
                } else if (path.stream().anyMatch(t -> t.startsWith("$"))) {
                    throw PatchOperation.invalid("Cannot " + op.op() + " " + op.pointer()
                            + ": system properties (starting with '$') cannot be patched.");
                } else if (path.size() == 1 && componentNames.contains(path.get(0))) {
                    applyToWholeComponent(content, op, touched);
                } else {
                    JsonPatcher.apply(content, op, path);
                    touched.add(componentNames.contains(path.get(0)) && path.size() > 1
                            ? path.get(0) + "/" + path.get(1) : path.get(0));
                }
            }
            checkSourceTimesHaveValues(sourceTimes.keySet(), content, componentNames);
            touched.addAll(sourceTimes.keySet());
            InterfaceModel model;
            if (modelId.equals(existing.modelId())) {
                ModelService.Entry entry = models.find(modelId);
                if (entry == null) {
                    throw AdtError.VALIDATION_FAILED.with("Model " + modelId + " of twin " + id + " was deleted, so the twin"
                            + " is read-only: change its model with /$metadata/$model in the same patch.");
                }
                model = entry.model();
            } else {
                model = usableModel(modelId);
                checkModelRow(tx, modelId);
            }
            TwinValidator.validateTwin(model, content, this::componentModel);
            String etag = newEtag();
            ObjectNode updated = assemble(id, etag, model, content, oldMetadata, touched, sourceTimes,
                    Instant.now().toString());
            String json = Json.write(updated);
            TwinValidator.checkSize(json);
            tx.updateTwin(new StoredTwin(id, model.id(), etag, json));
            return etag;
        });
    }

    public void deleteTwin(String id, String ifMatch) {
        store.write(tx -> {
            StoredTwin existing = existingTwin(tx.twinForUpdate(id), id);
            checkIfMatch(ifMatch, existing.etag(), "Twin " + id);
            if (tx.hasRelationships(id)) {
                throw AdtError.RELATIONSHIPS_NOT_DELETED.with("Twin " + id + " still has incoming or"
                        + " outgoing relationships: delete them before deleting the twin.");
            }
            tx.deleteTwin(id);
            return null;
        });
    }

    public ObjectNode getComponent(String id, String component) {
        ObjectNode twin = getTwin(id);
        ModelService.Entry entry = models.find(twin.path(METADATA).path("$model").asText());
        if (entry == null || !(entry.model().content(component) instanceof Content.Component)
                || !twin.has(component)) {
            throw AdtError.COMPONENT_NOT_FOUND.with("Twin " + id + " has no component '" + component + "'.");
        }
        return (ObjectNode) twin.get(component);
    }

    public String patchComponent(String id, String component, JsonNode document, String ifMatch) {
        getComponent(id, component);
        List<PatchOperation> ops = PatchOperation.parseAll(document);
        var prefixed = Json.MAPPER.createArrayNode();
        for (PatchOperation op : ops) {
            ObjectNode o = prefixed.addObject().put("op", op.op()).put("path", "/" + escape(component) + op.pointer());
            if (op.value() != null) {
                o.set("value", op.value());
            }
        }
        return patchTwin(id, prefixed, ifMatch);
    }

    /**
     * Adds, replaces or removes a whole component. Its metadata is the service's: any {@code $metadata} in the new
     * value is dropped, the old one is carried over so source times survive, and every property the new value sets
     * counts as updated.
     */
    private static void applyToWholeComponent(ObjectNode content, PatchOperation op, Set<String> touched) {
        String name = op.path().get(0);
        JsonNode oldMetadata = content.path(name).path(METADATA);
        JsonNode value = op.value();
        if (value instanceof ObjectNode object && object.has(METADATA)) {
            value = object.deepCopy().without(METADATA);
        }
        JsonPatcher.apply(content, new PatchOperation(op.op(), op.pointer(), op.path(), value), op.path());
        if (content.get(name) instanceof ObjectNode component) {
            component.fieldNames().forEachRemaining(p -> touched.add(name + "/" + p));
            if (oldMetadata.isObject()) {
                component.set(METADATA, oldMetadata);
            }
        }
    }

    /** A source time describes a value, so the property must have one once the patch is applied. */
    private static void checkSourceTimesHaveValues(Set<String> paths, ObjectNode content, Set<String> componentNames) {
        for (String path : paths) {
            int slash = path.indexOf('/');
            JsonNode owner = slash < 0 ? content : content.path(path.substring(0, slash));
            String property = path.substring(slash + 1);
            if (!owner.has(property) || (slash < 0 && componentNames.contains(property))) {
                throw AdtError.VALIDATION_FAILED.with("Cannot set the sourceTime of '" + path + "': the twin has no value"
                        + " for that property. Add the property in the same patch or before.");
            }
        }
    }

    // ---- relationships

    public ObjectNode getRelationship(String sourceId, String relationshipId) {
        return Json.parseObject(store.read(tx -> existingRelationship(tx.relationship(sourceId, relationshipId),
                sourceId, relationshipId)).body());
    }

    public Written putRelationship(String sourceId, String relationshipId, JsonNode request, String ifNoneMatch) {
        checkTwinId(relationshipId);
        ObjectNode body = requireObject(request, "relationship");
        String targetId = textField(body, "$targetId");
        String name = textField(body, "$relationshipName");
        if (body.has("$sourceId") && !sourceId.equals(body.get("$sourceId").asText())) {
            throw AdtError.VALIDATION_FAILED.with("$sourceId does not match the twin id '" + sourceId + "' in the path.");
        }
        if (body.has("$relationshipId") && !relationshipId.equals(body.get("$relationshipId").asText())) {
            throw AdtError.VALIDATION_FAILED.with("$relationshipId does not match '" + relationshipId + "' in the path.");
        }
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
        boolean createOnly = createOnly(ifNoneMatch);
        return store.write(tx -> {
            StoredTwin source = existingTwin(tx.twinForShare(sourceId), sourceId);
            StoredTwin target = tx.twinForShare(targetId);
            if (target == null) {
                throw AdtError.TARGET_TWIN_NOT_FOUND.with("The target twin " + targetId + " does not exist.");
            }
            Content.Relationship declared = declaredRelationship(source, name);
            if (declared.target() != null) {
                ModelService.Entry targetModel = models.find(target.modelId());
                if (targetModel == null || !targetModel.model().isA(declared.target())) {
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
                throw AdtError.OPERATION_NOT_ALLOWED.with("Relationship " + relationshipId + " already"
                        + " exists as '" + existing.name() + "' to " + existing.targetId() + "; its name and target"
                        + " cannot change. Delete it and create it again.");
            }
            String etag = newEtag();
            ObjectNode rel = relationshipBody(relationshipId, etag, sourceId, targetId, name, properties);
            StoredRelationship row = new StoredRelationship(sourceId, relationshipId, targetId, name, etag,
                    Json.write(rel));
            if (existing == null) {
                tx.insertRelationship(row);
            } else {
                tx.updateRelationship(row);
            }
            return new Written(rel, etag);
        });
    }

    public String patchRelationship(String sourceId, String relationshipId, JsonNode document, String ifMatch) {
        List<PatchOperation> ops = PatchOperation.parseAll(document);
        return store.write(tx -> {
            StoredRelationship existing = existingRelationship(tx.relationshipForUpdate(sourceId, relationshipId),
                    sourceId, relationshipId);
            checkIfMatch(ifMatch, existing.etag(), "Relationship " + relationshipId);
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
            TwinValidator.validateRelationshipProperties(declaredRelationship(source, existing.name()), properties);
            String etag = newEtag();
            ObjectNode rel = relationshipBody(relationshipId, etag, sourceId, existing.targetId(), existing.name(),
                    properties);
            tx.updateRelationship(new StoredRelationship(sourceId, relationshipId, existing.targetId(),
                    existing.name(), etag, Json.write(rel)));
            return etag;
        });
    }

    public void deleteRelationship(String sourceId, String relationshipId, String ifMatch) {
        store.write(tx -> {
            StoredRelationship existing = existingRelationship(tx.relationshipForUpdate(sourceId, relationshipId),
                    sourceId, relationshipId);
            checkIfMatch(ifMatch, existing.etag(), "Relationship " + relationshipId);
            tx.deleteRelationship(sourceId, relationshipId);
            return null;
        });
    }

    /** One page of a twin's outgoing relationships after {@code afterId}; the twin must exist. */
    public List<ObjectNode> listRelationships(String sourceId, String name, String afterId, int limit) {
        return store.read(tx -> {
            existingTwin(tx.twin(sourceId), sourceId);
            return bodies(tx.outgoing(sourceId, name == null ? null : List.of(name), afterId, limit));
        });
    }

    /** One page of a twin's incoming relationships, in ADT's short form. */
    public List<StoredRelationship> listIncoming(String targetId, String afterSourceId, String afterId, int limit) {
        return store.read(tx -> {
            existingTwin(tx.twin(targetId), targetId);
            return tx.incoming(targetId, null, afterSourceId, afterId, limit);
        });
    }

    // ---- telemetry

    /** What a validated telemetry message carries on to the routes. */
    public record Telemetry(String twinId, String component, String modelId, String messageId, String sourceTime,
            JsonNode payload, boolean duplicate) {
    }

    /**
     * Validates telemetry against the twin's (or component's) model and records its message id; a message id seen
     * before for this twin comes back marked as a duplicate.
     */
    public Telemetry acceptTelemetry(String twinId, String component, JsonNode payload, String messageId,
            String sourceTime) {
        if (messageId == null || messageId.isBlank()) {
            throw AdtError.INVALID_ARGUMENT.with("The Message-Id header is required: it identifies the"
                    + " message so that a resent one is delivered once.");
        }
        if (sourceTime != null) {
            parseTime(sourceTime, "Telemetry-Source-Time");
        }
        return store.write(tx -> {
            StoredTwin twin = existingTwin(tx.twin(twinId), twinId);
            ModelService.Entry entry = models.find(twin.modelId());
            if (entry == null) {
                throw AdtError.VALIDATION_FAILED.with("Model " + twin.modelId() + " of twin " + twinId + " was deleted.");
            }
            InterfaceModel model = entry.model();
            if (component != null) {
                if (!(model.content(component) instanceof Content.Component declared)) {
                    throw AdtError.COMPONENT_NOT_FOUND.with("Twin " + twinId + " has no component '"
                            + component + "'.");
                }
                model = componentModel(declared.schema());
            }
            TwinValidator.validateTelemetry(model, payload);
            String scope = "telemetry:" + twinId + (component == null ? "" : "/" + component);
            boolean fresh = tx.markSeen(scope, messageId);
            return new Telemetry(twinId, component, model.id(), messageId, sourceTime, payload, !fresh);
        });
    }

    // ---- helpers

    private InterfaceModel usableModel(String modelId) {
        ModelService.Entry entry = models.find(modelId);
        if (entry == null) {
            throw modelNotStored(modelId);
        }
        if (entry.stored().decommissioned()) {
            throw modelDecommissioned(modelId);
        }
        return entry.model();
    }

    /**
     * The model cache does not hear of a decommission or delete made through another instance sharing the store,
     * so a twin that takes a model on checks the model's row in its own transaction.
     */
    private static void checkModelRow(StoreTx tx, String modelId) {
        StoredModel row = tx.model(modelId);
        if (row == null) {
            throw modelNotStored(modelId);
        }
        if (row.decommissioned()) {
            throw modelDecommissioned(modelId);
        }
    }

    private static AdtException modelNotStored(String modelId) {
        return AdtError.VALIDATION_FAILED.with("Model " + modelId + " is not stored: upload it first.");
    }

    private static AdtException modelDecommissioned(String modelId) {
        return AdtError.MODEL_DECOMMISSIONED.with("Model " + modelId
                + " is decommissioned: no new twins may use it.");
    }

    private InterfaceModel componentModel(String id) {
        ModelService.Entry entry = models.find(id);
        return entry == null ? null : entry.model();
    }

    private Content.Relationship declaredRelationship(StoredTwin source, String name) {
        ModelService.Entry entry = models.find(source.modelId());
        if (entry == null) {
            throw AdtError.VALIDATION_FAILED.with("Model " + source.modelId() + " of twin " + source.id() + " was deleted.");
        }
        if (!(entry.model().content(name) instanceof Content.Relationship declared)) {
            throw AdtError.INVALID_RELATIONSHIP.with("Model " + source.modelId()
                    + " has no relationship named '" + name + "'.");
        }
        return declared;
    }

    private static Set<String> componentNames(ModelService.Entry entry) {
        Set<String> names = new HashSet<>();
        if (entry != null) {
            entry.model().contents().values().stream()
                    .filter(c -> c instanceof Content.Component)
                    .forEach(c -> names.add(c.name()));
        }
        return names;
    }

    /** Property paths ("p" or "component/p") a fresh twin sets. */
    private static Set<String> propertyPaths(InterfaceModel model, ObjectNode content) {
        Set<String> paths = new HashSet<>();
        content.fields().forEachRemaining(f -> {
            if (model.content(f.getKey()) instanceof Content.Component) {
                f.getValue().fieldNames().forEachRemaining(p -> {
                    if (!p.equals(METADATA)) {
                        paths.add(f.getKey() + "/" + p);
                    }
                });
            } else {
                paths.add(f.getKey());
            }
        });
        return paths;
    }

    /** Source times a PUT body carries in {@code $metadata.<p>.sourceTime} or a component's metadata. */
    private static Map<String, String> requestSourceTimes(InterfaceModel model, ObjectNode body) {
        Map<String, String> times = new HashMap<>();
        collectSourceTimes(model, body, "", times);
        body.fields().forEachRemaining(f -> {
            if (model.content(f.getKey()) instanceof Content.Component) {
                collectSourceTimes(null, f.getValue(), f.getKey() + "/", times);
            }
        });
        return times;
    }

    /** @param model the twin's model when {@code owner} is the twin itself, whose components have no source time */
    private static void collectSourceTimes(InterfaceModel model, JsonNode owner, String prefix,
            Map<String, String> times) {
        owner.path(METADATA).fields().forEachRemaining(f -> {
            JsonNode time = f.getValue().path("sourceTime");
            String name = f.getKey();
            if (name.startsWith("$") || time.isMissingNode()) {
                return;
            }
            if (!owner.has(name) || (model != null && model.content(name) instanceof Content.Component)) {
                throw AdtError.VALIDATION_FAILED.with("The $metadata gives a sourceTime for '" + prefix + name
                        + "', which the twin does not set: a sourceTime describes a property's value. Set the"
                        + " property or leave out its sourceTime.");
            }
            times.put(prefix + name, parseTime(time.isTextual() ? time.asText() : time.toString(),
                    "sourceTime of " + prefix + name));
        });
    }

    /**
     * Builds the stored twin: system properties, content, and metadata where every touched property gets a new
     * lastUpdateTime and the rest keep theirs; a source time stays until it is set again.
     */
    private static ObjectNode assemble(String id, String etag, InterfaceModel model, ObjectNode content,
            ObjectNode oldMetadata, Set<String> touched, Map<String, String> sourceTimes, String now) {
        ObjectNode twin = Json.object();
        twin.put("$dtId", id);
        twin.put("$etag", etag);
        ObjectNode metadata = Json.object();
        metadata.put("$model", model.id());
        metadata.put("$lastUpdateTime", now);
        for (Iterator<Map.Entry<String, JsonNode>> it = content.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            if (model.content(name) instanceof Content.Component) {
                ObjectNode component = (ObjectNode) field.getValue();
                ObjectNode oldComponentMeta = (ObjectNode) oldMetadataOf(component);
                ObjectNode componentMeta = Json.object();
                componentMeta.put("$lastUpdateTime", oldComponentMeta.path("$lastUpdateTime").asText(now));
                boolean componentTouched = false;
                ObjectNode values = Json.object();
                for (Iterator<Map.Entry<String, JsonNode>> c = component.fields(); c.hasNext();) {
                    Map.Entry<String, JsonNode> p = c.next();
                    if (p.getKey().equals(METADATA)) {
                        continue;
                    }
                    values.set(p.getKey(), p.getValue());
                    String path = name + "/" + p.getKey();
                    componentMeta.set(p.getKey(), propertyMetadata(oldComponentMeta.path(p.getKey()),
                            touched.contains(path), sourceTimes.get(path), now));
                    componentTouched |= touched.contains(path);
                }
                componentTouched |= touched.stream().anyMatch(t -> t.startsWith(name + "/"));
                if (componentTouched) {
                    componentMeta.put("$lastUpdateTime", now);
                }
                values.set(METADATA, componentMeta);
                twin.set(name, values);
            } else {
                twin.set(name, field.getValue());
                metadata.set(name, propertyMetadata(oldMetadata.path(name), touched.contains(name),
                        sourceTimes.get(name), now));
            }
        }
        twin.set(METADATA, metadata);
        return twin;
    }

    private static JsonNode oldMetadataOf(ObjectNode component) {
        JsonNode meta = component.get(METADATA);
        return meta instanceof ObjectNode ? meta : Json.object();
    }

    private static ObjectNode propertyMetadata(JsonNode old, boolean touched, String sourceTime, String now) {
        ObjectNode meta = Json.object();
        meta.put("lastUpdateTime", touched || !old.has("lastUpdateTime") ? now : old.get("lastUpdateTime").asText());
        String keptSourceTime = sourceTime != null ? sourceTime : old.path("sourceTime").asText(null);
        if (keptSourceTime != null) {
            meta.put("sourceTime", keptSourceTime);
        }
        return meta;
    }

    private static ObjectNode contentOf(ObjectNode twin) {
        ObjectNode content = twin.deepCopy();
        content.remove(List.of("$dtId", "$etag", METADATA));
        return content;
    }

    private static ObjectNode relationshipBody(String id, String etag, String sourceId, String targetId, String name,
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

    private static List<ObjectNode> bodies(List<StoredRelationship> rows) {
        List<ObjectNode> out = new ArrayList<>(rows.size());
        rows.forEach(r -> out.add(Json.parseObject(r.body())));
        return out;
    }

    private static String sourceTime(PatchOperation op) {
        if (op.op().equals("remove")) {
            throw PatchOperation.invalid("Cannot remove " + op.pointer() + ": set a new sourceTime instead.");
        }
        if (!op.value().isTextual()) {
            throw PatchOperation.invalid(op.pointer() + " must be an ISO 8601 date-time string.");
        }
        return parseTime(op.value().asText(), op.pointer());
    }

    private static String parseTime(String text, String what) {
        try {
            return Rfc3339.toInstant(text);
        } catch (IllegalArgumentException e) {
            throw AdtError.VALIDATION_FAILED.with(what + " '" + text + "' is not an RFC 3339 date-time: "
                    + e.getMessage() + ".");
        }
    }

    private static StoredTwin existingTwin(StoredTwin twin, String id) {
        if (twin == null) {
            throw AdtError.DIGITAL_TWIN_NOT_FOUND.with("There is no digital twin with id " + id + ".");
        }
        return twin;
    }

    private static StoredRelationship existingRelationship(StoredRelationship rel, String sourceId, String id) {
        if (rel == null) {
            throw AdtError.RELATIONSHIP_NOT_FOUND.with("Twin " + sourceId + " has no relationship with id "
                    + id + ".");
        }
        return rel;
    }

    private static void checkIfMatch(String ifMatch, String etag, String what) {
        if (ifMatch != null && !ifMatch.equals("*") && !ifMatch.equals(etag)) {
            throw AdtError.PRECONDITION_FAILED.with(what + " has ETag " + etag + ", not " + ifMatch
                    + " (If-Match): it changed since it was read.");
        }
    }

    private static boolean createOnly(String ifNoneMatch) {
        if (ifNoneMatch == null) {
            return false;
        }
        if (!ifNoneMatch.equals("*")) {
            throw AdtError.INVALID_ARGUMENT.with("If-None-Match accepts only '*' (create only).");
        }
        return true;
    }

    private static void checkTwinId(String id) {
        if (id == null || id.isBlank() || id.length() > 1024 || id.chars().anyMatch(Character::isISOControl)) {
            throw AdtError.INVALID_ARGUMENT.with("An id is 1 to 1,024 characters without control"
                    + " characters.");
        }
    }

    private static ObjectNode requireObject(JsonNode node, String what) {
        if (node == null || !node.isObject()) {
            throw AdtError.VALIDATION_FAILED.with("The request body must be a JSON object describing the " + what + ".");
        }
        return (ObjectNode) node;
    }

    private static String textField(ObjectNode body, String name) {
        JsonNode value = body.get(name);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw AdtError.VALIDATION_FAILED.with("The relationship needs " + name + " as a non-empty string.");
        }
        return value.asText();
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }

    private static String newEtag() {
        return "W/\"" + UUID.randomUUID() + "\"";
    }
}
