package io.twingress.twin;

import java.util.HashSet;
import java.util.Set;
import java.util.function.LongFunction;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.model.Content;
import io.twingress.model.InterfaceModel;
import io.twingress.model.ModelService;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredModel;
import io.twingress.store.StoredTwin;

/** The models twins are checked against: the catalogue's view, and the store's rows inside a write unit. */
public final class TwinModels {

    private final ModelService models;

    public TwinModels(ModelService models) {
        this.models = models;
    }

    /** As {@link ModelService#withLastKnown}: runs {@code work} on the models as last known, without a store read. */
    <T> T withLastKnown(LongFunction<T> work) {
        return models.withLastKnown(work);
    }

    /** A model a twin may take on: stored and not decommissioned. */
    InterfaceModel usable(String modelId) {
        ModelService.Entry entry = models.find(modelId);
        if (entry == null) {
            throw notStored(modelId);
        }
        if (entry.stored().decommissioned()) {
            throw decommissioned(modelId);
        }
        return entry.model();
    }

    /**
     * Another instance may decommission or delete a model between the catalogue's check and this write's commit,
     * so a twin that takes a model on checks the model's row in its own transaction.
     */
    static void checkRow(StoreTx tx, String modelId) {
        StoredModel row = tx.model(modelId);
        if (row == null) {
            throw notStored(modelId);
        }
        if (row.decommissioned()) {
            throw decommissioned(modelId);
        }
    }

    /** The model of an existing twin; a twin whose model was deleted cannot be checked against anything. */
    public InterfaceModel of(StoredTwin twin) {
        InterfaceModel model = find(twin.modelId());
        if (model == null) {
            throw AdtError.VALIDATION_FAILED.with("Model " + twin.modelId() + " of twin " + twin.id()
                    + " was deleted.");
        }
        return model;
    }

    /** The interface of a twin's component, as its model declares it now. */
    public InterfaceModel componentOf(InterfaceModel model, String twinId, String component) {
        if (!(model.content(component) instanceof Content.Component declared)) {
            throw AdtError.COMPONENT_NOT_FOUND.with("Twin " + twinId + " has no component '" + component + "'.");
        }
        return componentModel(declared);
    }

    /** A component's interface: written inline in its model, or a stored model; null when it is not stored. */
    public InterfaceModel componentModel(Content.Component component) {
        return component.inline() != null ? component.inline() : find(component.schema());
    }

    /** A model by DTMI, or null when it is not stored. */
    public InterfaceModel find(String id) {
        ModelService.Entry entry = models.find(id);
        return entry == null ? null : entry.model();
    }

    /** The names a model declares as components; none when the model is unknown. */
    Set<String> componentNames(String modelId) {
        Set<String> names = new HashSet<>();
        ModelService.Entry entry = models.find(modelId);
        if (entry != null) {
            entry.model().contents().values().stream()
                    .filter(c -> c instanceof Content.Component)
                    .forEach(c -> names.add(c.name()));
        }
        return names;
    }

    Content.Relationship declaredRelationship(StoredTwin source, String name) {
        if (!(of(source).content(name) instanceof Content.Relationship declared)) {
            throw AdtError.INVALID_RELATIONSHIP.with("Model " + source.modelId() + " has no relationship named '"
                    + name + "'.");
        }
        return declared;
    }

    private static AdtException notStored(String modelId) {
        return AdtError.VALIDATION_FAILED.with("Model " + modelId + " is not stored: upload it first.");
    }

    private static AdtException decommissioned(String modelId) {
        return AdtError.MODEL_DECOMMISSIONED.with("Model " + modelId + " is decommissioned: no new twins may use it.");
    }
}
