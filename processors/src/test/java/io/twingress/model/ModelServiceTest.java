package io.twingress.model;

import static io.twingress.model.TestModels.BASE;
import static io.twingress.model.TestModels.OTHER;
import static io.twingress.model.TestModels.ROOM;
import static io.twingress.model.TestModels.ROOM_V2;
import static io.twingress.model.TestModels.SENSOR;
import static io.twingress.model.TestModels.SPACE;
import static io.twingress.model.TestModels.SPECIAL;
import static io.twingress.model.TestModels.THERMOSTAT;
import static io.twingress.model.TestModels.assertAdtError;
import static io.twingress.model.TestModels.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.twingress.store.SqliteTwinStore;
import io.twingress.twin.TwinModels;
import io.twingress.twin.TwinOperations;

class ModelServiceTest {

    @TempDir
    Path dir;

    private SqliteTwinStore store;
    private ModelService models;

    @BeforeEach
    void open() {
        store = new SqliteTwinStore(dir.resolve("twins.db"), "NORMAL");
        models = new ModelService(store);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private List<String> ids(List<ModelService.Entry> entries) {
        return entries.stream().map(e -> e.model().id()).toList();
    }

    @Test
    void uploadStoresABatchWhoseModelsReferenceEachOtherInAnyOrder() {
        List<ModelService.Entry> created = models.upload(TestModels.all());

        assertThat(ids(created)).containsExactly(ROOM, BASE, SENSOR, SPECIAL, OTHER, ROOM_V2, SPACE, THERMOSTAT);
        InterfaceModel room = models.get(ROOM).model();
        assertThat(room.isA(BASE)).isTrue();
        assertThat(room.content("name")).as("inherited from Base").isInstanceOf(Content.Property.class);
        assertThat(models.get(ROOM).stored().decommissioned()).isFalse();
    }

    /**
     * An ontology written as published ones are (RealEstateCore and the like): single-valued extends and contents,
     * inline schemas, deep hierarchies, uploaded in batches of at most 250 in dependency order.
     */
    @Test
    void aSyntheticOntologyOf300InterfacesUploadsInBatchesAndResolves() {
        int chains = 30;
        int depth = 10;
        List<JsonNode> ontology = new java.util.ArrayList<>();
        for (int level = 0; level < depth; level++) {
            for (int chain = 0; chain < chains; chain++) {
                String context = chain % 2 == 0 ? "dtmi:dtdl:context;2" : "dtmi:dtdl:context;3";
                String schema = level % 3 == 0 ? "'double'" : "{'@type':'Object','fields':{'name':'v','schema':"
                        + "{'@type':'Enum','valueSchema':'integer','enumValues':{'name':'one','enumValue':1}}}}";
                ontology.add(json("{'@context':'" + context + "','@id':'" + ontologyId(chain, level) + "',"
                        + "'@type':'Interface','displayName':{'en':'Level " + level + "'}"
                        + (level == 0 ? "" : ",'extends':'" + ontologyId(chain, level - 1) + "'")
                        + ",'contents':{'@type':'Property','name':'p" + level + "','schema':" + schema + "}}"));
            }
        }

        for (int from = 0; from < ontology.size(); from += ModelService.MAX_MODELS_PER_UPLOAD) {
            models.upload(ontology.subList(from, Math.min(ontology.size(), from + ModelService.MAX_MODELS_PER_UPLOAD)));
        }

        assertThat(models.list(null)).hasSize(300);
        ModelService reopened = new ModelService(store);
        assertThat(reopened.list(null)).as("read back from the store").hasSize(300);
        for (int chain = 0; chain < chains; chain++) {
            InterfaceModel deepest = reopened.get(ontologyId(chain, depth - 1)).model();
            assertThat(deepest.ancestors()).hasSize(depth - 1).contains(ontologyId(chain, 0));
            assertThat(deepest.contents()).hasSize(depth);
            assertThat(((Content.Property) deepest.content("p1")).schema()).isInstanceOf(Schema.ObjectSchema.class);
        }
    }

    private static String ontologyId(int chain, int level) {
        return "dtmi:test:onto:C" + chain + "L" + level + ";1";
    }

    @Test
    void uploadIsAtomicWhenOneModelIsInvalid() {
        JsonNode broken = json("{'@context':'dtmi:dtdl:context;2','@id':'dtmi:test:Broken;1','@type':'Interface',"
                + "'contents':[{'@type':'Property','name':'p','schema':'notASchema'}]}");

        assertAdtError(() -> models.upload(List.of(base(), sensor(), broken)), 400, "DTDLParserError",
                "dtmi:test:Broken;1", "notASchema");

        assertThat(models.list(null)).isEmpty();
        assertThat(models.find(BASE)).isNull();
        assertThat(new ModelService(store).list(null)).as("nothing reached the store").isEmpty();
    }

    @Test
    void aModelInADtdlVersionNotSupportedIsRefusedAsAdtDoes() {
        JsonNode future = json("{'@context':'dtmi:dtdl:context;4','@id':'dtmi:test:Future;1','@type':'Interface'}");

        assertAdtError(() -> models.upload(List.of(base(), future)), 400, "ModelVersionNotSupported",
                "dtmi:test:Future;1", "dtmi:dtdl:context;4");
        assertThat(models.list(null)).isEmpty();
    }

    @Test
    void uploadRefusesAModelWhoseBaseIsNeitherInTheBatchNorStored() {
        assertAdtError(() -> models.upload(List.of(TestModels.room(), sensor())), 400, "DTDLParserError", BASE);
        assertThat(models.list(null)).isEmpty();
    }

    @Test
    void uploadCanReferenceModelsStoredEarlier() {
        models.upload(List.of(base(), sensor()));
        models.upload(List.of(TestModels.room()));

        assertThat(models.get(ROOM).model().ancestors()).containsExactly(BASE);
    }

    @Test
    void uploadingAStoredModelAgainIsAConflictAndStoresNothingElse() {
        models.upload(List.of(base()));

        assertAdtError(() -> models.upload(List.of(sensor(), base())), 409, "ModelAlreadyExists", BASE);
        assertThat(ids(models.list(null))).containsExactly(BASE);
    }

    @Test
    void uploadRefusesAnEmptyBatch() {
        assertAdtError(() -> models.upload(List.of()), 400, "InvalidArgument", "non-empty");
    }

    @Test
    void getOfAnUnknownModelIsNotFound() {
        assertAdtError(() -> models.get("dtmi:test:Nope;1"), 404, "ModelNotFound", "dtmi:test:Nope;1");
        assertThat(models.find("dtmi:test:Nope;1")).isNull();
    }

    @Test
    void listReturnsEveryModelInUploadOrder() {
        models.upload(TestModels.all());

        assertThat(ids(models.list(null))).containsExactly(ROOM, BASE, SENSOR, SPECIAL, OTHER, ROOM_V2, SPACE,
                THERMOSTAT);
        assertThat(ids(models.list(List.of()))).hasSize(8);
    }

    @Test
    void listWithDependenciesForFollowsExtendsAndComponentsTransitively() {
        // Wrapper uses Room as a component, and Room extends Base and has a Sensor component.
        JsonNode wrapper = json("{'@context':'dtmi:dtdl:context;2','@id':'dtmi:test:Wrapper;1','@type':'Interface',"
                + "'extends':'" + SPECIAL + "'}");
        models.upload(TestModels.all());
        models.upload(List.of(wrapper));

        assertThat(ids(models.list(List.of(ROOM)))).containsExactlyInAnyOrder(ROOM, BASE, SENSOR);
        assertThat(ids(models.list(List.of("dtmi:test:Wrapper;1"))))
                .containsExactlyInAnyOrder("dtmi:test:Wrapper;1", SPECIAL, BASE);
        assertThat(ids(models.list(List.of(SENSOR, OTHER)))).containsExactlyInAnyOrder(SENSOR, OTHER);
        assertAdtError(() -> models.list(List.of("dtmi:test:Nope;1")), 404, "ModelNotFound", "dtmi:test:Nope;1");
    }

    @Test
    void decommissionedModelRefusesNewTwinsButItsTwinsStayPatchable() {
        models.upload(List.of(base(), other()));
        TwinOperations twins = new TwinOperations(store, new TwinModels(models), Clock.systemUTC());
        twins.put("old", json("{'$metadata':{'$model':'" + OTHER + "'},'x':1}"), null);

        models.decommission(OTHER);

        assertThat(models.get(OTHER).stored().decommissioned()).isTrue();
        assertAdtError(() -> twins.put("new", json("{'$metadata':{'$model':'" + OTHER + "'}}"), null),
                400, "ModelDecommissioned", OTHER);
        twins.patch("old", json("[{'op':'replace','path':'/x','value':2}]"), null);
        assertThat(twins.get("old").get("x").asInt()).isEqualTo(2);
        assertThat(new ModelService(store).get(OTHER).stored().decommissioned()).as("kept across restarts").isTrue();
    }

    @Test
    void decommissionOfAnUnknownModelIsNotFound() {
        assertAdtError(() -> models.decommission("dtmi:test:Nope;1"), 404, "ModelNotFound", "dtmi:test:Nope;1");
    }

    @Test
    void deleteIsRefusedWhileAnotherModelExtendsIt() {
        models.upload(TestModels.all());

        assertAdtError(() -> models.delete(BASE), 409, "ModelReferencesNotDeleted", BASE, ROOM, SPECIAL, ROOM_V2);
        assertThat(models.find(BASE)).isNotNull();
    }

    @Test
    void deleteIsRefusedWhileAnotherModelUsesItAsAComponent() {
        models.upload(TestModels.all());

        assertAdtError(() -> models.delete(SENSOR), 409, "ModelReferencesNotDeleted", SENSOR, ROOM);
        assertThat(models.find(SENSOR)).isNotNull();
    }

    @Test
    void deleteRemovesAModelNothingDependsOnAndThenItsDependencies() {
        models.upload(List.of(base(), sensor(), TestModels.room()));

        models.delete(ROOM);
        models.delete(SENSOR);
        models.delete(BASE);

        assertThat(models.list(null)).isEmpty();
        assertThat(new ModelService(store).list(null)).isEmpty();
        assertAdtError(() -> models.delete(ROOM), 404, "ModelNotFound", ROOM);
        models.upload(List.of(base()));
        assertThat(models.find(BASE)).as("a deleted id can be uploaded again").isNotNull();
    }

    @Test
    void aRestartedServiceSeesTheSameModels() {
        models.upload(TestModels.all());
        models.decommission(SPACE);

        ModelService restarted = new ModelService(store);

        assertThat(ids(restarted.list(null))).containsExactly(ROOM, BASE, SENSOR, SPECIAL, OTHER, ROOM_V2, SPACE,
                THERMOSTAT);
        InterfaceModel room = restarted.get(ROOM).model();
        assertThat(room.ancestors()).containsExactly(BASE);
        assertThat(room.content("comp1")).isEqualTo(new Content.Component("comp1", SENSOR));
        assertThat(restarted.get(SPACE).stored().decommissioned()).isTrue();
        assertThat(restarted.get(THERMOSTAT).stored().decommissioned()).isFalse();
    }

    @Test
    void aServiceSeesModelsAnotherInstanceChangedInTheSameStore() {
        ModelService other = new ModelService(store);
        other.upload(List.of(base(), sensor()));

        assertThat(models.find(BASE)).isNotNull();
        models.upload(List.of(TestModels.room()));
        assertAdtError(() -> other.delete(BASE), 409, "ModelReferencesNotDeleted", ROOM);

        other.delete(ROOM);
        assertAdtError(() -> models.decommission(ROOM), 404, "ModelNotFound", ROOM);
        assertThat(models.find(ROOM)).isNull();
        assertThat(ids(models.list(null))).containsExactly(BASE, SENSOR);
    }

    private static JsonNode base() {
        return TestModels.base();
    }

    private static JsonNode sensor() {
        return TestModels.sensor();
    }

    private static JsonNode other() {
        return TestModels.other();
    }
}
