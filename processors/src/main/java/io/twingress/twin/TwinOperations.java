package io.twingress.twin;

import static io.twingress.twin.TwinChecks.existingTwin;
import static io.twingress.twin.TwinMetadata.METADATA;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Instants;
import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.Json;
import io.twingress.model.Content;
import io.twingress.model.InterfaceModel;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;

/**
 * Creating, reading, patching and deleting twins and their components as ADT does. Each change is one write unit
 * in which the twin's row is locked, so writes to one twin apply one after another.
 */
public final class TwinOperations {

    /** A twin or relationship as stored and returned, with its new ETag. */
    public record Written(ObjectNode body, String etag) {
    }

    private final TwinStore store;
    private final TwinModels models;
    /** Stamps lastUpdateTime; tests give one that moves on every read. */
    private final Clock clock;
    private final ChangeLog changes;
    private final RecentTwins recent = new RecentTwins();

    public TwinOperations(TwinStore store, TwinModels models, Clock clock) {
        this(store, models, clock, ChangeLog.NONE);
    }

    public TwinOperations(TwinStore store, TwinModels models, Clock clock, ChangeLog changes) {
        this.store = store;
        this.models = models;
        this.clock = clock;
        this.changes = changes;
    }

    public ObjectNode get(String id) {
        StoredTwin twin = store.read(tx -> existingTwin(tx.twin(id), id));
        recent.keep(twin);
        return Json.parseObject(twin.body());
    }

    public Written put(String id, JsonNode request, String ifNoneMatch) {
        return put(id, request, ifNoneMatch, null);
    }

    /** Creates or replaces a twin; {@code traceparent} (or null) goes with the change's event. */
    public Written put(String id, JsonNode request, String ifNoneMatch, String traceparent) {
        TwinChecks.checkId(id);
        ObjectNode body = TwinChecks.requireObject(request, "twin");
        String modelId = body.path(METADATA).path("$model").asText(null);
        if (modelId == null) {
            throw AdtError.VALIDATION_FAILED.with("The twin needs a model: set $metadata.$model to a model id.");
        }
        // a $dtId in the body is ignored, as ADT's REST reference says: the path names the twin
        InterfaceModel model = models.usable(modelId);
        ObjectNode content = Json.object();
        body.fields().forEachRemaining(f -> {
            if (!f.getKey().startsWith("$")) {
                content.set(f.getKey(), f.getValue().deepCopy());
            }
        });
        TwinValidator.validateTwin(model, content, models::componentModel);
        boolean createOnly = TwinChecks.createOnly(ifNoneMatch);
        Map<String, String> sourceTimes = TwinMetadata.requestSourceTimes(model, body);
        // a component's metadata is the service's to write; only the source times above are taken from it
        content.forEach(value -> {
            if (value instanceof ObjectNode component) {
                component.remove(METADATA);
            }
        });
        Set<String> touched = new HashSet<>(sourceTimes.keySet());
        touched.addAll(TwinMetadata.propertyPaths(model, content));
        String etag = TwinChecks.newEtag();
        ObjectNode twin = TwinMetadata.assemble(id, etag, model, content, Json.object(), touched, sourceTimes,
                Instants.format(clock.instant()));
        String json = Json.write(twin);
        TwinValidator.checkSize(json);
        StoredTwin row = new StoredTwin(id, model.id(), etag, json);
        store.write(tx -> {
            TwinModels.checkRow(tx, model.id());
            StoredTwin existing = tx.twinForUpdate(id);
            if (existing != null && createOnly) {
                throw AdtError.PRECONDITION_FAILED.with("Twin " + id + " already exists (If-None-Match: *).");
            }
            if (existing == null) {
                tx.insertTwin(row);
                changes.record(tx, new Change(Change.Kind.TWIN_CREATE, id, null, model.id(), null, null, twin,
                        traceparent));
            } else {
                tx.updateTwin(row);
                changes.record(tx, new Change(Change.Kind.TWIN_UPDATE, id, null, model.id(),
                        JsonDiff.diff(Json.parseObject(existing.body()), twin), existing.body(), twin, traceparent));
            }
            return null;
        });
        recent.keep(row);
        return new Written(twin, etag);
    }

    public String patch(String id, JsonNode document, String ifMatch) {
        return patch(id, document, ifMatch, null);
    }

    /** Applies a JSON Patch; {@code traceparent} (or null) goes with the change's event. */
    public String patch(String id, JsonNode document, String ifMatch, String traceparent) {
        return patch(id, document, ifMatch, traceparent, false);
    }

    /**
     * Sets values Twingress worked out itself (ingress, propagation) with {@code add} operations, each of which
     * replaces a value already there; the change's event says {@code replace} for those, as the patch a client would
     * have sent. A client's own patch is recorded as it was sent.
     */
    public String upsert(String id, JsonNode document, String traceparent) {
        return patch(id, document, null, traceparent, true);
    }

    /**
     * The unit reads the twin for update and applies the patch. When this instance knows the twin's last state
     * ({@link RecentTwins}), the patch is worked out from it first, on the caller's thread and against the models as
     * last known, and the unit only writes the result if neither the twin nor the model set moved meanwhile (else it
     * does the work itself): on SQLite the one writer thread is left with the SQL, and on PostgreSQL a PATCH is one
     * statement, its own transaction. Anything but the common case (an error, a rule that reads relationships) is left
     * to the unit, which answers for itself. A patch made inside another unit (a propagation rule's) is that unit's
     * work.
     */
    private String patch(String id, JsonNode document, String ifMatch, String traceparent, boolean upserts) {
        List<PatchOperation> ops = PatchOperation.parseAll(document);
        Function<StoreTx, StoredTwin> work = tx -> {
            StoredTwin existing = existingTwin(tx.twinForUpdate(id), id);
            TwinChecks.checkIfMatch(ifMatch, existing.etag(), "Twin " + id);
            return apply(tx, existing, ops, traceparent, upserts);
        };
        StoredTwin known = store.inUnit() ? null : recent.get(id);
        StoredTwin[] worked = new StoredTwin[1];
        Speculation ahead = known == null ? null : models.withLastKnown(modelsVersion -> Speculation.run(null,
                Map.of(id, known), modelsVersion, tx -> worked[0] = work.apply(tx)));
        Function<StoreTx, StoredTwin> unit = tx -> ahead != null && ahead.replay(tx) ? worked[0] : work.apply(tx);
        StoredTwin row;
        try {
            // the replay's one statement writes all or nothing: on PostgreSQL it needs no transaction of its own
            row = ahead != null && ahead.updatesOneTwinWithOneEvent() ? store.writeGuarded(unit) : store.write(unit);
        } catch (RuntimeException e) {
            recent.forget(id);
            throw e;
        }
        recent.keep(row);
        return row.etag();
    }

    /**
     * As {@link #upsert}, inside the caller's write unit, to a twin that unit read with {@link StoreTx#twinForUpdate},
     * so that the twin is not read a second time.
     */
    public String upsert(StoreTx tx, StoredTwin existing, JsonNode document) {
        return apply(tx, existing, PatchOperation.parseAll(document), null, true).etag();
    }

    /** Applies the operations to the twin read for update; the twin's row as written (unchanged if there are none). */
    private StoredTwin apply(StoreTx tx, StoredTwin existing, List<PatchOperation> ops, String traceparent,
            boolean upserts) {
        String id = existing.id();
        if (ops.isEmpty()) {
            return existing;
        }
        ObjectNode twin = Json.parseObject(existing.body());
        ObjectNode content = TwinMetadata.contentOf(twin);
        String modelId = existing.modelId();
        Map<String, String> sourceTimes = new HashMap<>();
        Set<String> touched = new HashSet<>();
        Set<String> componentNames = models.componentNames(modelId);
        List<PatchOperation> recorded = new ArrayList<>(ops);
        for (int i = 0; i < ops.size(); i++) {
            PatchOperation op = ops.get(i);
            List<String> path = op.path();
            if (path.get(0).equals(METADATA)) {
                if (path.size() == 2 && path.get(1).equals("$model") && !op.op().equals("remove")) {
                    if (!op.value().isTextual()) {
                        throw PatchOperation.invalid("/$metadata/$model must be a model id string.");
                    }
                    modelId = op.value().asText();
                    componentNames = models.componentNames(modelId);
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
                if (JsonPatcher.apply(content, op, path) && upserts) {
                    recorded.set(i, new PatchOperation("replace", op.pointer(), path, op.value()));
                }
                touched.add(componentNames.contains(path.get(0)) && path.size() > 1
                        ? path.get(0) + "/" + path.get(1) : path.get(0));
            }
        }
        checkSourceTimesHaveValues(sourceTimes.keySet(), content, componentNames);
        touched.addAll(sourceTimes.keySet());
        InterfaceModel model;
        if (modelId.equals(existing.modelId())) {
            model = modelOfPatchedTwin(existing);
        } else {
            model = models.usable(modelId);
            TwinModels.checkRow(tx, modelId);
        }
        TwinValidator.validateTwin(model, content, models::componentModel);
        String etag = TwinChecks.newEtag();
        ObjectNode updated = TwinMetadata.assemble(id, etag, model, content, (ObjectNode) twin.get(METADATA),
                touched, sourceTimes, Instants.format(clock.instant()));
        String json = Json.write(updated);
        TwinValidator.checkSize(json);
        StoredTwin row = new StoredTwin(id, model.id(), etag, json);
        tx.updateTwin(row);
        changes.record(tx, new Change(Change.Kind.TWIN_UPDATE, id, null, model.id(), PatchOperation.toJson(recorded),
                existing.body(), updated, traceparent));
        return row;
    }

    public void delete(String id, String ifMatch) {
        delete(id, ifMatch, null);
    }

    public void delete(String id, String ifMatch, String traceparent) {
        store.write(tx -> {
            StoredTwin existing = existingTwin(tx.twinForUpdate(id), id);
            TwinChecks.checkIfMatch(ifMatch, existing.etag(), "Twin " + id);
            if (tx.hasRelationships(id)) {
                throw AdtError.RELATIONSHIPS_NOT_DELETED.with("Twin " + id + " still has incoming or outgoing"
                        + " relationships: delete them before deleting the twin.");
            }
            tx.deleteTwin(id);
            changes.record(tx, new Change(Change.Kind.TWIN_DELETE, id, null, existing.modelId(), null,
                    existing.body(), null, traceparent));
            return null;
        });
        recent.forget(id);
    }

    /**
     * A component of a twin. The model may have been replaced since the twin was written (deleted and uploaded
     * again with the same id), so the stored value is checked to be a component too.
     */
    public ObjectNode getComponent(String id, String component) {
        return readComponent(id, component).value();
    }

    /** A twin's component, and the twin's etag: what a later PATCH of the component names in If-Match. */
    public record ComponentRead(ObjectNode value, String etag) {
    }

    public ComponentRead readComponent(String id, String component) {
        ObjectNode twin = get(id);
        InterfaceModel model = models.find(twin.path(METADATA).path("$model").asText());
        if (model == null || !(model.content(component) instanceof Content.Component)
                || !(twin.get(component) instanceof ObjectNode value)) {
            throw AdtError.COMPONENT_NOT_FOUND.with("Twin " + id + " has no component '" + component + "'.");
        }
        return new ComponentRead(value, twin.path("$etag").asText());
    }

    /** Patches a component; a component the twin does not have is an invalid patch target (400), as in ADT. */
    public String patchComponent(String id, String component, JsonNode document, String ifMatch) {
        return patchComponent(id, component, document, ifMatch, null);
    }

    public String patchComponent(String id, String component, JsonNode document, String ifMatch,
            String traceparent) {
        try {
            getComponent(id, component);
        } catch (AdtException e) {
            if (e.error() != AdtError.COMPONENT_NOT_FOUND) {
                throw e;
            }
            throw AdtError.JSON_PATCH_INVALID.with(e.getMessage());
        }
        List<PatchOperation> ops = PatchOperation.parseAll(document);
        var prefixed = Json.MAPPER.createArrayNode();
        for (PatchOperation op : ops) {
            ObjectNode o = prefixed.addObject().put("op", op.op()).put("path", "/" + escape(component) + op.pointer());
            if (op.value() != null) {
                o.set("value", op.value());
            }
        }
        return patch(id, prefixed, ifMatch, traceparent);
    }

    private InterfaceModel modelOfPatchedTwin(StoredTwin existing) {
        InterfaceModel model = models.find(existing.modelId());
        if (model == null) {
            throw AdtError.VALIDATION_FAILED.with("Model " + existing.modelId() + " of twin " + existing.id()
                    + " was deleted, so the twin is read-only: change its model with /$metadata/$model in the"
                    + " same patch.");
        }
        return model;
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
                throw AdtError.VALIDATION_FAILED.with("Cannot set the sourceTime of '" + path + "': the twin has no"
                        + " value for that property. Add the property in the same patch or before.");
            }
        }
    }

    private static String sourceTime(PatchOperation op) {
        if (op.op().equals("remove")) {
            throw PatchOperation.invalid("Cannot remove " + op.pointer() + ": set a new sourceTime instead.");
        }
        if (!op.value().isTextual()) {
            throw PatchOperation.invalid(op.pointer() + " must be an ISO 8601 date-time string.");
        }
        return TwinMetadata.parseTime(op.value().asText(), op.pointer());
    }

    private static String escape(String token) {
        return JsonDiff.escape(token);
    }
}
