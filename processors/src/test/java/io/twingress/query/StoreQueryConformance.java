package io.twingress.query;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;

import io.twingress.Json;
import io.twingress.model.ModelService;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;

/** Runs the query conformance suite over a real store: a fresh store for each test, loaded row by row. */
abstract class StoreQueryConformance extends QueryConformanceSuite {

    private TwinStore store;
    private GraphSource source;

    /** A new, empty, migrated store. */
    protected abstract TwinStore newStore();

    @Override
    protected GraphSource source() {
        return source;
    }

    @Override
    protected void loadGraph(List<ObjectNode> twins, List<ObjectNode> relationships, List<JsonNode> models) {
        closeStore();
        store = newStore();
        ModelService modelService = new ModelService(store);
        modelService.upload(models);
        source = new StoreGraphSource(store, modelService);
        twins.forEach(this::putTwin);
        store.write(tx -> {
            for (ObjectNode r : relationships) {
                tx.insertRelationship(new StoredRelationship(r.get("$sourceId").asText(),
                        r.get("$relationshipId").asText(), r.get("$targetId").asText(),
                        r.get("$relationshipName").asText(), r.get("$etag").asText(), Json.write(r)));
            }
            return null;
        });
    }

    @Override
    protected void putTwin(ObjectNode twin) {
        StoredTwin row = new StoredTwin(twin.get("$dtId").asText(), twin.at("/$metadata/$model").asText(),
                twin.get("$etag").asText(), Json.write(twin));
        store.write(tx -> {
            if (tx.twinForUpdate(row.id()) == null) {
                tx.insertTwin(row);
            } else {
                tx.updateTwin(row);
            }
            return null;
        });
    }

    @Override
    protected void deleteTwin(String id) {
        store.write(tx -> {
            tx.deleteTwin(id);
            return null;
        });
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
            store = null;
        }
    }
}
