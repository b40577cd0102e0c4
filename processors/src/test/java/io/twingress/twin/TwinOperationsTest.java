package io.twingress.twin;

import static io.twingress.model.TestModels.BASE;
import static io.twingress.model.TestModels.OTHER;
import static io.twingress.model.TestModels.ROOM;
import static io.twingress.model.TestModels.ROOM_V2;
import static io.twingress.model.TestModels.SENSOR;
import static io.twingress.model.TestModels.SPECIAL;
import static io.twingress.model.TestModels.assertAdtError;
import static io.twingress.model.TestModels.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.twingress.ingest.TelemetryIntake;
import io.twingress.model.ModelService;
import io.twingress.model.TestModels;
import io.twingress.store.SqliteTwinStore;

class TwinOperationsTest {

    private static final String T1 = "2024-05-01T12:00:00Z";
    private static final String T2 = "2024-06-02T08:30:00Z";

    @TempDir
    Path dir;

    private SqliteTwinStore store;
    private ModelService models;
    private TwinOperations twins;
    private RelationshipOperations relationships;
    private TelemetryIntake intake;

    @BeforeEach
    void open() {
        store = new SqliteTwinStore(dir.resolve("twins.db"), "NORMAL");
        models = new ModelService(store);
        models.upload(TestModels.all());
        TwinModels twinModels = new TwinModels(models);
        twins = new TwinOperations(store, twinModels, TestClock.ticking());
        relationships = new RelationshipOperations(store, twinModels);
        intake = new TelemetryIntake(store, twinModels, null, true);
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aComponentWhoseInterfaceIsWrittenInlineIsValidatedReadAndPatched() {
        models.upload(List.of(json("{'@context':'dtmi:dtdl:context;3','@id':'dtmi:test:Lamp;1','@type':'Interface',"
                + "'contents':{'@type':'Component','name':'bulb','schema':{'@id':'dtmi:test:Lamp:Bulb;1',"
                + "'@type':'Interface','contents':{'@type':'Property','name':'watts','schema':'double'}}}}")));

        twins.put("lamp", json("{'$metadata':{'$model':'dtmi:test:Lamp;1'},'bulb':{'watts':40}}"), null);
        twins.patchComponent("lamp", "bulb", json("[{'op':'replace','path':'/watts','value':60}]"), null);

        assertThat(twins.getComponent("lamp", "bulb").get("watts").asDouble()).isEqualTo(60);
        assertAdtError(() -> twins.put("lamp2", json("{'$metadata':{'$model':'dtmi:test:Lamp;1'},"
                + "'bulb':{'watts':'bright'}}"), null), 400, "ValidationFailed", "watts");
    }

    /** A Room twin with the given extra members, e.g. "'count':1". */
    private TwinOperations.Written putRoom(String id, String members) {
        return twins.put(id, json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{}"
                + (members.isEmpty() ? "" : "," + members) + "}"), null);
    }

    private TwinOperations.Written putTwinOf(String id, String model) {
        return twins.put(id, json("{'$metadata':{'$model':'" + model + "'}}"), null);
    }

    private String patch(String id, String document) {
        return twins.patch(id, json(document), null);
    }

    private static String lastUpdate(JsonNode twin, String property) {
        return twin.path("$metadata").path(property).path("lastUpdateTime").asText(null);
    }

    @Nested
    class Put {

        @Test
        void createsTheTwinWithMetadataAndReturnsWhatGetReturns() {
            TwinOperations.Written written = twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'},"
                    + "'count':1,'name':'hall','comp1':{'cp':2.5}}"), null);

            ObjectNode twin = twins.get("r1");
            assertThat(twin).isEqualTo(written.body());
            assertThat(twin.get("$dtId").asText()).isEqualTo("r1");
            assertThat(twin.get("$etag").asText()).isEqualTo(written.etag()).startsWith("W/\"");
            assertThat(twin.get("count").asInt()).isEqualTo(1);
            assertThat(twin.get("name").asText()).as("inherited property").isEqualTo("hall");
            JsonNode metadata = twin.get("$metadata");
            assertThat(metadata.get("$model").asText()).isEqualTo(ROOM);
            String updated = metadata.get("$lastUpdateTime").asText();
            Instant.parse(updated);
            assertThat(lastUpdate(twin, "count")).isEqualTo(updated);
            assertThat(lastUpdate(twin, "name")).isEqualTo(updated);
            assertThat(metadata.has("label")).as("unset properties are absent").isFalse();
            assertThat(twin.has("label")).isFalse();
            JsonNode component = twin.get("comp1");
            assertThat(component.get("cp").asDouble()).isEqualTo(2.5);
            assertThat(component.at("/$metadata/cp/lastUpdateTime").asText()).isEqualTo(updated);
            assertThat(component.at("/$metadata/$lastUpdateTime").asText()).isEqualTo(updated);
        }

        @Test
        void keepsSourceTimesGivenInTheBody() {
            twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "','count':{'sourceTime':'" + T1 + "'}},"
                    + "'count':1,'comp1':{'cp':1,'$metadata':{'cp':{'sourceTime':'" + T2 + "'}}}}"), null);

            ObjectNode twin = twins.get("r1");
            assertThat(twin.at("/$metadata/count/sourceTime").asText()).isEqualTo(T1);
            assertThat(twin.at("/comp1/$metadata/cp/sourceTime").asText()).isEqualTo(T2);
        }

        @Test
        void replacesTheWholeTwin() {
            TwinOperations.Written first = putRoom("r1", "'count':1,'label':'a'");

            TwinOperations.Written second = putRoom("r1", "'label':'b'");

            ObjectNode twin = twins.get("r1");
            assertThat(twin.get("label").asText()).isEqualTo("b");
            assertThat(twin.has("count")).isFalse();
            assertThat(twin.get("$metadata").has("count")).isFalse();
            assertThat(second.etag()).isNotEqualTo(first.etag());
        }

        @Test
        void needsEveryComponentButAnEmptyOneIsEnough() {
            assertAdtError(() -> twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'}}"), null),
                    400, "ValidationFailed", "comp1");
            assertAdtError(() -> twins.get("r1"), 404, "DigitalTwinNotFound", "r1");

            putRoom("r1", "");
            assertThat(twins.get("r1").get("comp1").get("$metadata").has("$lastUpdateTime")).isTrue();
        }

        @Test
        void needsAStoredModel() {
            assertAdtError(() -> twins.put("t", json("{'count':1}"), null), 400, "ValidationFailed", "$model");
            assertAdtError(() -> putTwinOf("t", "dtmi:test:Nope;1"), 400, "ValidationFailed", "dtmi:test:Nope;1");
            assertAdtError(() -> twins.put("t", json("[]"), null), 400, "ValidationFailed", "JSON object");
        }

        @Test
        void takesThePathIdOverABodyDtId() {
            twins.put("t", json("{'$dtId':'u','$metadata':{'$model':'" + BASE + "'}}"), null);

            assertThat(twins.get("t").get("$dtId").asText()).isEqualTo("t");
            assertAdtError(() -> twins.get("u"), 404, "DigitalTwinNotFound", "u");
        }

        @Test
        void withIfNoneMatchStarOnlyCreates() {
            twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{},'count':1}"), "*");

            assertAdtError(() -> twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{},"
                    + "'count':2}"), "*"), 412, "PreconditionFailed", "r1");
            assertThat(twins.get("r1").get("count").asInt()).isEqualTo(1);
            assertAdtError(() -> twins.put("r2", json("{'$metadata':{'$model':'" + BASE + "'}}"), "W/\"x\""),
                    400, "InvalidArgument", "If-None-Match");
        }

        @Test
        void givesANewEtagOnEveryWrite() {
            String a = putRoom("r1", "'count':1").etag();
            String b = putRoom("r1", "'count':1").etag();
            String c = patch("r1", "[{'op':'replace','path':'/count','value':2}]");
            String d = twins.patchComponent("r1", "comp1", json("[{'op':'add','path':'/cp','value':1}]"), null);

            assertThat(List.of(a, b, c, d)).doesNotHaveDuplicates();
            assertThat(twins.get("r1").get("$etag").asText()).isEqualTo(d);
        }

        static Stream<Arguments> invalidBodies() {
            return Stream.of(
                    Arguments.of("'bogus':1", new String[] {"'bogus'", "not a property"}),
                    Arguments.of("'temp':20.5", new String[] {"'temp'", "telemetry"}),
                    Arguments.of("'feeds':'x'", new String[] {"'feeds'", "relationship"}),
                    Arguments.of("'count':'three'", new String[] {"'count'", "integer"}),
                    Arguments.of("'count':1.5", new String[] {"'count'", "integer"}),
                    Arguments.of("'label':7", new String[] {"'label'", "string"}),
                    Arguments.of("'count':null", new String[] {"'count'", "null"}),
                    Arguments.of("'mode':'on'", new String[] {"'mode'", "enum", "\"auto\""}),
                    Arguments.of("'settings':{'level':1,'extra':2}", new String[] {"'settings'", "'extra'"}),
                    Arguments.of("'settings':{'level':'high'}", new String[] {"'settings'", "'level'", "integer"}),
                    Arguments.of("'settings':5", new String[] {"'settings'", "object"}),
                    Arguments.of("'tags':{'a':1,'b':'heavy'}", new String[] {"'tags'", "'b'", "integer"}),
                    Arguments.of("'tags':[1]", new String[] {"'tags'", "map"}),
                    Arguments.of("'$custom':1", new String[] {}),
                    Arguments.of("'comp1':{'zz':1}", new String[] {"'comp1/zz'", "not a property", SENSOR}),
                    Arguments.of("'comp1':{'cp':'warm'}", new String[] {"'comp1/cp'", "double"}),
                    Arguments.of("'comp1':{'reading':1}", new String[] {"'comp1/reading'", "telemetry"}),
                    Arguments.of("'comp1':3", new String[] {"'comp1'", "object"}));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("invalidBodies")
        void refusesValuesTheModelDoesNotAllow(String members, String[] messageParts) {
            // the first member replaces the empty component when it sets comp1
            String body = "{'$metadata':{'$model':'" + ROOM + "'}," + members
                    + (members.startsWith("'comp1'") ? "" : ",'comp1':{}") + "}";
            if (members.startsWith("'$")) {
                // system-looking names are not properties: ADT drops them from a PUT rather than storing them
                twins.put("r1", json(body), null);
                assertThat(twins.get("r1").has("$custom")).isFalse();
                return;
            }
            assertAdtError(() -> twins.put("r1", json(body), null), 400, "ValidationFailed", messageParts);
            assertAdtError(() -> twins.get("r1"), 404, "DigitalTwinNotFound", "r1");
        }

        @Test
        void acceptsValidValuesOfEverySchemaKind() {
            putRoom("r1", "'count':3,'mode':'off','settings':{'level':2},'tags':{'a':1,'b':2}");

            ObjectNode twin = twins.get("r1");
            assertThat(twin.get("settings")).isEqualTo(json("{'level':2}"));
            assertThat(twin.get("tags")).isEqualTo(json("{'a':1,'b':2}"));
            assertThat(twin.get("mode").asText()).isEqualTo("off");
        }

        @Test
        void refusesAModelAnotherInstanceDecommissionedOrDeleted() {
            ModelService otherInstance = new ModelService(store);
            otherInstance.decommission(OTHER);
            otherInstance.delete(SPECIAL);

            assertAdtError(() -> putTwinOf("o1", OTHER), 400, "ModelDecommissioned", OTHER);
            assertAdtError(() -> putTwinOf("s1", SPECIAL), 400, "ValidationFailed", SPECIAL, "not stored");
            putTwinOf("b1", BASE);
            assertAdtError(() -> patch("b1", "[{'op':'replace','path':'/$metadata/$model','value':'" + SPECIAL
                    + "'}]"), 400, "ValidationFailed", SPECIAL);
            assertAdtError(() -> twins.get("o1"), 404, "DigitalTwinNotFound", "o1");
        }

        @Test
        void refusesASourceTimeThatIsNotADateTime() {
            assertAdtError(() -> twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "',"
                    + "'count':{'sourceTime':'soon'}},'count':1,'comp1':{}}"), null), 400, "ValidationFailed",
                    "count", "soon");
        }

        @Test
        void ofAnUnknownTwinIsNotFoundForEveryOperation() {
            assertAdtError(() -> twins.get("ghost"), 404, "DigitalTwinNotFound", "ghost");
            assertAdtError(() -> patch("ghost", "[]"), 404, "DigitalTwinNotFound", "ghost");
            assertAdtError(() -> twins.delete("ghost", null), 404, "DigitalTwinNotFound", "ghost");
            assertAdtError(() -> twins.getComponent("ghost", "comp1"), 404, "DigitalTwinNotFound", "ghost");
        }

        @Test
        void deleteRemovesTheTwinAndHonoursIfMatch() {
            String etag = putRoom("r1", "").etag();

            assertAdtError(() -> twins.delete("r1", "W/\"stale\""), 412, "PreconditionFailed", "r1");
            twins.delete("r1", etag);

            assertAdtError(() -> twins.get("r1"), 404, "DigitalTwinNotFound", "r1");
        }
    }

    @Nested
    class Patch {

        /**
         * A client's patch is recorded as sent; Twingress's own upserts (ingress, propagation) say replace for a value
         * that was there, as the "added when unset, replaced otherwise" does.
         */
        @Test
        void anUpsertsEventSaysReplaceForAValueThatWasThereAndAClientsPatchIsRecordedAsSent() {
            List<Change> changes = new ArrayList<>();
            TwinOperations recording = new TwinOperations(store, new TwinModels(models), TestClock.ticking(),
                    (tx, change) -> changes.add(change));
            putRoom("r1", "'count':1");
            recording.upsert("r1", json("[{'op':'add','path':'/count','value':2},{'op':'add','path':'/label',"
                    + "'value':'new'},{'op':'add','path':'/comp1/cp','value':1.5}]"), null);
            recording.patch("r1", json("[{'op':'add','path':'/count','value':3}]"), null);

            assertThat(changes).hasSize(2);
            assertThat(changes.get(0).patch()).isEqualTo(json("[{'op':'replace','path':'/count','value':2},"
                    + "{'op':'add','path':'/label','value':'new'},{'op':'add','path':'/comp1/cp','value':1.5}]"));
            assertThat(changes.get(1).patch()).isEqualTo(json("[{'op':'add','path':'/count','value':3}]"));
            assertThat(twins.get("r1").get("count").asInt()).isEqualTo(3);
        }

        @BeforeEach
        void twin() {
            putRoom("r1", "'label':'a'");
        }

        /**
         * A patch is worked out ahead from the twin as this instance last knew it. When the twin changed elsewhere
         * meanwhile (another instance, the ingress pipeline), or the model set did, the write unit works the patch out
         * again from the stored twin: nothing written elsewhere is lost. The recorded changes show which happened: once
         * when the work done ahead was written, twice when the unit did it again.
         */
        @Test
        void aPatchWorkedOutFromATwinOrModelsThatMovedIsWorkedOutAgainAndLosesNothing() {
            List<Change> changes = new ArrayList<>();
            TwinOperations here = new TwinOperations(store, new TwinModels(models), TestClock.ticking(),
                    TestChangeLogs.withEvents(changes));
            assertThat(here.get("r1").get("label").asText()).isEqualTo("a");
            here.patch("r1", json("[{'op':'add','path':'/count','value':1}]"), null);
            assertThat(changes).hasSize(1);

            patch("r1", "[{'op':'replace','path':'/label','value':'elsewhere'}]");
            changes.clear();
            String etag = here.patch("r1", json("[{'op':'add','path':'/count','value':2}]"), null);

            assertThat(changes).hasSize(2);
            assertThat(changes.get(1).before()).contains("elsewhere");
            ObjectNode twin = twins.get("r1");
            assertThat(twin.get("label").asText()).isEqualTo("elsewhere");
            assertThat(twin.get("count").asInt()).isEqualTo(2);
            assertThat(twin.get("$etag").asText()).isEqualTo(etag);

            changes.clear();
            here.patch("r1", json("[{'op':'add','path':'/count','value':3}]"), null);
            assertThat(changes).hasSize(1);

            // another instance's catalogue uploads a model: the one here is a version behind
            new ModelService(store).upload(List.of(json("{'@context':'dtmi:dtdl:context;2','@id':'dtmi:test:Extra;1',"
                    + "'@type':'Interface'}")));
            changes.clear();
            here.patch("r1", json("[{'op':'add','path':'/count','value':4}]"), null);
            assertThat(changes).hasSize(2);
            changes.clear();
            here.patch("r1", json("[{'op':'add','path':'/count','value':5}]"), null);
            assertThat(changes).hasSize(1);
            assertThat(twins.get("r1").get("count").asInt()).isEqualTo(5);
            // one event per patch written: none of the work done ahead and then done again left its own
            assertThat(TestChangeLogs.events(store)).isEqualTo(5);
        }

        @Test
        void aPatchOfATwinDeletedAndCreatedAgainElsewhereAppliesToTheNewTwin() {
            TwinOperations here = new TwinOperations(store, new TwinModels(models), TestClock.ticking(),
                    TestChangeLogs.withEvents(null));
            here.patch("r1", json("[{'op':'add','path':'/count','value':1}]"), null);
            twins.delete("r1", null);
            assertAdtError(() -> here.patch("r1", json("[{'op':'add','path':'/count','value':2}]"), null), 404,
                    "DigitalTwinNotFound", "r1");
            putRoom("r1", "'label':'new'");
            here.patch("r1", json("[{'op':'add','path':'/count','value':3}]"), null);

            ObjectNode twin = twins.get("r1");
            assertThat(twin.get("label").asText()).isEqualTo("new");
            assertThat(twin.get("count").asInt()).isEqualTo(3);
        }

        @Test
        void addSetsAnUnsetPropertyAndOverwritesASetOne() {
            patch("r1", "[{'op':'add','path':'/count','value':1}]");
            patch("r1", "[{'op':'add','path':'/count','value':2},{'op':'add','path':'/label','value':'b'}]");

            ObjectNode twin = twins.get("r1");
            assertThat(twin.get("count").asInt()).isEqualTo(2);
            assertThat(twin.get("label").asText()).isEqualTo("b");
        }

        @Test
        void replaceOfAnUnsetPropertyIsInvalid() {
            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/count','value':1}]"), 400,
                    "JsonPatchInvalid", "/count", "add");
            assertThat(twins.get("r1").has("count")).isFalse();
        }

        @Test
        void removeDropsTheValueAndItsMetadataButAnUnsetOneIsInvalid() {
            patch("r1", "[{'op':'remove','path':'/label'}]");

            ObjectNode twin = twins.get("r1");
            assertThat(twin.has("label")).isFalse();
            assertThat(twin.get("$metadata").has("label")).isFalse();
            assertAdtError(() -> patch("r1", "[{'op':'remove','path':'/label'}]"), 400, "JsonPatchInvalid",
                    "/label");
        }

        @Test
        void anObjectPropertyMustBeAddedWholeBeforeItsFields() {
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/settings/level','value':1}]"), 400,
                    "JsonPatchInvalid", "/settings", "add it whole first");

            patch("r1", "[{'op':'add','path':'/settings','value':{'level':1}}]");
            patch("r1", "[{'op':'replace','path':'/settings/level','value':2},"
                    + "{'op':'add','path':'/settings/note','value':'n'}]");
            assertThat(twins.get("r1").get("settings")).isEqualTo(json("{'level':2,'note':'n'}"));
            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/settings/level','value':'x'}]"), 400,
                    "ValidationFailed", "'settings'", "'level'");
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/settings/other','value':1}]"), 400,
                    "ValidationFailed", "'settings'", "'other'");
        }

        @Test
        void mapEntriesArePatchedOneByOneAndValidated() {
            patch("r1", "[{'op':'add','path':'/tags','value':{}},{'op':'add','path':'/tags/a','value':1}]");
            patch("r1", "[{'op':'add','path':'/tags/b','value':2},{'op':'remove','path':'/tags/a'}]");

            assertThat(twins.get("r1").get("tags")).isEqualTo(json("{'b':2}"));
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/tags/c','value':'heavy'}]"), 400,
                    "ValidationFailed", "'tags'", "'c'");
        }

        @Test
        void refusesValuesTheModelDoesNotAllow() {
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/bogus','value':1}]"), 400, "ValidationFailed",
                    "'bogus'");
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/temp','value':1}]"), 400, "ValidationFailed",
                    "'temp'", "telemetry");
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/mode','value':'on'}]"), 400, "ValidationFailed",
                    "'mode'");
            assertAdtError(() -> patch("r1", "[{'op':'remove','path':'/comp1'}]"), 400, "ValidationFailed",
                    "comp1");
        }

        @Test
        void componentPropertiesArePatchedThroughTheComponentPath() {
            patch("r1", "[{'op':'add','path':'/comp1/cp','value':1.5}]");
            patch("r1", "[{'op':'replace','path':'/comp1/cp','value':2.5}]");

            assertThat(twins.getComponent("r1", "comp1").get("cp").asDouble()).isEqualTo(2.5);
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/comp1/zz','value':1}]"), 400,
                    "ValidationFailed", "'comp1/zz'");
            assertAdtError(() -> patch("r1", "[{'op':'remove','path':'/comp1/zz'}]"), 400, "JsonPatchInvalid",
                    "/comp1/zz");
        }

        @Test
        void patchComponentPrefixesTheComponentPath() {
            twins.patchComponent("r1", "comp1", json("[{'op':'add','path':'/cp','value':4},"
                    + "{'op':'add','path':'/$metadata/cp/sourceTime','value':'" + T1 + "'}]"), null);

            ObjectNode component = twins.getComponent("r1", "comp1");
            assertThat(component.get("cp").asInt()).isEqualTo(4);
            assertThat(component.at("/$metadata/cp/sourceTime").asText()).isEqualTo(T1);
            assertAdtError(() -> twins.getComponent("r1", "nope"), 404, "ComponentNotFound", "nope");
            assertAdtError(() -> twins.patchComponent("r1", "label", json("[]"), null), 400, "JsonPatchInvalid",
                    "label");
        }

        @Test
        void sourceTimeIsSetThroughMetadataAndKeptByALaterValueOnlyPatch() {
            patch("r1", "[{'op':'add','path':'/count','value':1},"
                    + "{'op':'add','path':'/$metadata/count/sourceTime','value':'2024-05-01T14:00:00+02:00'}]");
            ObjectNode before = twins.get("r1");
            assertThat(before.at("/$metadata/count/sourceTime").asText()).as("normalized to UTC").isEqualTo(T1);

            patch("r1", "[{'op':'replace','path':'/count','value':2}]");

            ObjectNode after = twins.get("r1");
            assertThat(after.at("/$metadata/count/sourceTime").asText()).isEqualTo(T1);
            assertThat(lastUpdate(after, "count")).isNotEqualTo(lastUpdate(before, "count"));
            patch("r1", "[{'op':'replace','path':'/$metadata/count/sourceTime','value':'" + T2 + "'}]");
            assertThat(twins.get("r1").at("/$metadata/count/sourceTime").asText()).isEqualTo(T2);
        }

        @Test
        void componentSourceTimeIsSetThroughTheComponentMetadata() {
            patch("r1", "[{'op':'add','path':'/comp1/cp','value':1},"
                    + "{'op':'add','path':'/comp1/$metadata/cp/sourceTime','value':'" + T1 + "'}]");
            patch("r1", "[{'op':'replace','path':'/comp1/cp','value':2}]");

            assertThat(twins.get("r1").at("/comp1/$metadata/cp/sourceTime").asText()).isEqualTo(T1);
        }

        @Test
        void refusesASourceTimeThatIsNotADateTime() {
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/$metadata/label/sourceTime','value':'noon'}]"),
                    400, "ValidationFailed", "/$metadata/label/sourceTime", "noon");
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/$metadata/label/sourceTime','value':5}]"),
                    400, "JsonPatchInvalid", "/$metadata/label/sourceTime");
        }

        @Test
        void refusesASourceTimeForAPropertyTheTwinDoesNotHave() {
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/$metadata/bogus/sourceTime','value':'" + T1
                    + "'}]"), 400, "ValidationFailed", "bogus");
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/$metadata/count/sourceTime','value':'" + T1
                    + "'}]"), 400, "ValidationFailed", "count");
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/comp1/$metadata/zz/sourceTime','value':'" + T1
                    + "'}]"), 400, "ValidationFailed", "comp1/zz");
        }

        @Test
        void refusesSystemPropertiesAndOtherMetadata() {
            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/$dtId','value':'x'}]"), 400,
                    "JsonPatchInvalid", "/$dtId");
            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/$metadata/$lastUpdateTime','value':'"
                    + T1 + "'}]"), 400, "JsonPatchInvalid", "/$metadata/$lastUpdateTime");
            assertAdtError(() -> patch("r1", "[{'op':'remove','path':'/$metadata/$model'}]"), 400,
                    "JsonPatchInvalid", "/$metadata/$model");
            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/comp1/$metadata/$lastUpdateTime','value':'"
                    + T1 + "'}]"), 400, "JsonPatchInvalid", "/comp1/$metadata/$lastUpdateTime");
        }

        @Test
        void aWholeComponentValueCannotSmuggleInMetadata() {
            patch("r1", "[{'op':'replace','path':'/comp1','value':{'cp':1,"
                    + "'$metadata':{'$lastUpdateTime':'2000-01-01T00:00:00Z',"
                    + "'cp':{'lastUpdateTime':'2000-01-01T00:00:00Z','sourceTime':'not a time'}}}}]");

            ObjectNode twin = twins.get("r1");
            String now = twin.at("/$metadata/$lastUpdateTime").asText();
            assertThat(twin.at("/comp1/cp").asInt()).isEqualTo(1);
            assertThat(twin.at("/comp1/$metadata/cp/lastUpdateTime").asText()).isEqualTo(now);
            assertThat(twin.at("/comp1/$metadata/$lastUpdateTime").asText()).isEqualTo(now);
            assertThat(twin.at("/comp1/$metadata/cp").has("sourceTime")).isFalse();
        }

        @Test
        void replacingAWholeComponentKeepsSourceTimesOfItsProperties() {
            patch("r1", "[{'op':'add','path':'/comp1/cp','value':1},"
                    + "{'op':'add','path':'/comp1/$metadata/cp/sourceTime','value':'" + T1 + "'}]");

            patch("r1", "[{'op':'replace','path':'/comp1','value':{'cp':2}}]");

            assertThat(twins.get("r1").at("/comp1/$metadata/cp/sourceTime").asText()).isEqualTo(T1);
        }

        @Test
        void onlyAddReplaceAndRemoveAreAllowed() {
            for (String op : List.of("move", "copy", "test")) {
                assertAdtError(() -> patch("r1", "[{'op':'" + op + "','path':'/label','from':'/label','value':'a'}]"),
                        400, "JsonPatchInvalid", "'" + op + "'");
            }
            assertAdtError(() -> patch("r1", "{'op':'add'}"), 400, "JsonPatchInvalid", "array");
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'label','value':1}]"), 400, "JsonPatchInvalid",
                    "'label'");
            assertAdtError(() -> patch("r1", "[{'op':'add','path':'/label'}]"), 400, "JsonPatchInvalid", "value");
        }

        @Test
        void ifMatchMustBeTheCurrentEtagOrStar() {
            String etag = twins.get("r1").get("$etag").asText();

            assertAdtError(() -> twins.patch("r1", json("[{'op':'replace','path':'/label','value':'b'}]"),
                    "W/\"stale\""), 412, "PreconditionFailed", "r1");
            assertThat(twins.get("r1").get("label").asText()).isEqualTo("a");

            String next = twins.patch("r1", json("[{'op':'replace','path':'/label','value':'b'}]"), etag);
            twins.patch("r1", json("[{'op':'replace','path':'/label','value':'c'}]"), "*");
            assertAdtError(() -> twins.patch("r1", json("[{'op':'replace','path':'/label','value':'d'}]"),
                    next), 412, "PreconditionFailed", next);
            assertThat(twins.get("r1").get("label").asText()).isEqualTo("c");
        }

        @Test
        void onlyTouchedPropertiesGetANewLastUpdateTime() {
            patch("r1", "[{'op':'add','path':'/count','value':1},{'op':'add','path':'/comp1/cp','value':1}]");
            ObjectNode before = twins.get("r1");

            patch("r1", "[{'op':'replace','path':'/count','value':2}]");

            ObjectNode after = twins.get("r1");
            String now = after.at("/$metadata/$lastUpdateTime").asText();
            assertThat(now).isNotEqualTo(before.at("/$metadata/$lastUpdateTime").asText());
            assertThat(lastUpdate(after, "count")).isEqualTo(now);
            assertThat(lastUpdate(after, "label")).isEqualTo(lastUpdate(before, "label"));
            assertThat(after.get("comp1").get("$metadata")).isEqualTo(before.get("comp1").get("$metadata"));
        }

        @Test
        void aPatchThatWouldLeaveTheTwinInvalidChangesNothing() {
            ObjectNode before = twins.get("r1");

            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/label','value':'b'},"
                    + "{'op':'add','path':'/count','value':'many'}]"), 400, "ValidationFailed", "'count'");
            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/label','value':'b'},"
                    + "{'op':'remove','path':'/count'}]"), 400, "JsonPatchInvalid", "/count");

            assertThat(twins.get("r1")).isEqualTo(before);
        }

        @Test
        @Timeout(120)
        void concurrentIncrementsWithIfMatchLoseNoUpdate() throws Exception {
            patch("r1", "[{'op':'add','path':'/count','value':0}]");

            ConcurrentIncrements.Outcome outcome = ConcurrentIncrements.run(twins, "r1", "count", 8, 25);

            assertThat(twins.get("r1").get("count").asInt()).as("no update was lost (%d retries after a 412)",
                    outcome.conflicts()).isEqualTo(8 * 25);
            assertThat(outcome.etags()).hasSize(8 * 25).doesNotHaveDuplicates();
            assertThat(twins.get("r1").get("$etag").asText()).isIn(outcome.etags());
        }

        @Test
        void anEmptyPatchChangesNothing() {
            String etag = twins.get("r1").get("$etag").asText();

            assertThat(patch("r1", "[]")).isEqualTo(etag);
        }

        @Test
        void theModelChangesWithThePropertyFixesInTheSamePatch() {
            patch("r1", "[{'op':'add','path':'/count','value':3},"
                    + "{'op':'add','path':'/$metadata/label/sourceTime','value':'" + T1 + "'}]");

            patch("r1", "[{'op':'replace','path':'/$metadata/$model','value':'" + ROOM_V2 + "'},"
                    + "{'op':'remove','path':'/count'},{'op':'add','path':'/total','value':3},"
                    + "{'op':'remove','path':'/comp1'}]");

            ObjectNode twin = twins.get("r1");
            assertThat(twin.at("/$metadata/$model").asText()).isEqualTo(ROOM_V2);
            assertThat(twin.get("total").asInt()).isEqualTo(3);
            assertThat(twin.has("count")).isFalse();
            assertThat(twin.has("comp1")).isFalse();
            assertThat(twin.at("/$metadata/label/sourceTime").asText()).isEqualTo(T1);
            String storedModel = store.read(tx -> tx.twin("r1").modelId());
            assertThat(storedModel).isEqualTo(ROOM_V2);
        }

        @Test
        void aModelChangeWhoseResultDoesNotConformChangesNothing() {
            patch("r1", "[{'op':'add','path':'/count','value':3}]");
            ObjectNode before = twins.get("r1");

            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/$metadata/$model','value':'" + ROOM_V2
                    + "'},{'op':'remove','path':'/comp1'}]"), 400, "ValidationFailed", "'count'", ROOM_V2);
            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/$metadata/$model',"
                    + "'value':'dtmi:test:Nope;1'}]"), 400, "ValidationFailed", "dtmi:test:Nope;1");
            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/$metadata/$model','value':7}]"), 400,
                    "JsonPatchInvalid", "$model");

            assertThat(twins.get("r1")).isEqualTo(before);
        }

        @Test
        void aModelChangeToADecommissionedModelIsRefused() {
            models.decommission(ROOM_V2);

            assertAdtError(() -> patch("r1", "[{'op':'replace','path':'/$metadata/$model','value':'" + ROOM_V2
                    + "'},{'op':'remove','path':'/comp1'}]"), 400, "ModelDecommissioned", ROOM_V2);
        }

        @Test
        void aTwinWhoseModelWasDeletedIsReadOnlyUntilItsModelChanges() {
            putTwinOf("s1", SPECIAL);
            models.delete(SPECIAL);

            assertThat(twins.get("s1").get("$dtId").asText()).isEqualTo("s1");
            assertAdtError(() -> patch("s1", "[{'op':'add','path':'/name','value':'n'}]"), 400, "ValidationFailed",
                    SPECIAL, "/$metadata/$model");
            patch("s1", "[{'op':'replace','path':'/$metadata/$model','value':'" + BASE + "'},"
                    + "{'op':'add','path':'/name','value':'n'}]");
            assertThat(twins.get("s1").get("name").asText()).isEqualTo("n");
        }

        @Test
        void aPropertyThatAReuploadedModelTurnedIntoAComponentIsNoComponentOfTheTwin() {
            putTwinOf("o1", OTHER);
            patch("o1", "[{'op':'add','path':'/x','value':5}]");
            models.delete(OTHER);
            models.upload(List.of(json("{'@context':'dtmi:dtdl:context;2','@id':'" + OTHER + "','@type':'Interface',"
                    + "'contents':[{'@type':'Component','name':'x','schema':'" + SENSOR + "'}]}")));

            assertAdtError(() -> twins.getComponent("o1", "x"), 404, "ComponentNotFound", "'x'");
            assertAdtError(() -> twins.patchComponent("o1", "x", json("[{'op':'add','path':'/cp','value':1}]"), null),
                    400, "JsonPatchInvalid", "'x'");
            assertAdtError(() -> patch("o1", "[{'op':'add','path':'/x/cp','value':1}]"), 400, "JsonPatchInvalid",
                    "/x/cp");

            patch("o1", "[{'op':'replace','path':'/x','value':{'cp':1}}]");
            assertThat(twins.getComponent("o1", "x").get("cp").asInt()).as("a whole new value repairs it").isEqualTo(1);
        }
    }

    @Nested
    class Relationships {

        @BeforeEach
        void graph() {
            putRoom("room", "");
            putTwinOf("base", BASE);
            putTwinOf("special", SPECIAL);
            putTwinOf("other", OTHER);
        }

        private TwinOperations.Written relate(String source, String id, String name, String target, String props) {
            return relationships.put(source, id, json("{'$targetId':'" + target + "','$relationshipName':'"
                    + name + "'" + (props.isEmpty() ? "" : "," + props) + "}"), null);
        }

        @Test
        void putCreatesTheRelationshipAndGetReturnsIt() {
            TwinOperations.Written written = relate("room", "r1", "feeds", "base", "'weight':1.5");

            ObjectNode rel = relationships.get("room", "r1");
            assertThat(rel).isEqualTo(written.body());
            assertThat(rel.get("$relationshipId").asText()).isEqualTo("r1");
            assertThat(rel.get("$sourceId").asText()).isEqualTo("room");
            assertThat(rel.get("$targetId").asText()).isEqualTo("base");
            assertThat(rel.get("$relationshipName").asText()).isEqualTo("feeds");
            assertThat(rel.get("$etag").asText()).isEqualTo(written.etag());
            assertThat(rel.get("weight").asDouble()).isEqualTo(1.5);
        }

        @Test
        void theIdsInTheBodyGiveWayToThePathsAsInAdt() {
            relationships.put("room", "r1", json("{'$targetId':'base','$relationshipName':'near',"
                    + "'$sourceId':'other','$relationshipId':'elsewhere'}"), null);

            ObjectNode rel = relationships.get("room", "r1");
            assertThat(rel.get("$sourceId").asText()).isEqualTo("room");
            assertThat(rel.get("$relationshipId").asText()).isEqualTo("r1");
            assertAdtError(() -> relationships.get("other", "elsewhere"), 404, "RelationshipNotFound", "elsewhere");
        }

        @Test
        void theNameMayBeInheritedAndAnUntargetedRelationshipAcceptsAnyTwin() {
            relate("room", "n1", "near", "other", "");
            relate("special", "n2", "near", "room", "");

            assertThat(relationships.get("special", "n2").get("$targetId").asText()).isEqualTo("room");
        }

        @Test
        void theNameMustBeARelationshipOfTheSourceModel() {
            assertAdtError(() -> relate("room", "r1", "serves", "base", ""), 400, "InvalidRelationship",
                    "'serves'", ROOM);
            assertAdtError(() -> relate("room", "r1", "label", "base", ""), 400, "InvalidRelationship", "'label'");
            assertAdtError(() -> relate("base", "r1", "feeds", "room", ""), 400, "InvalidRelationship",
                    "'feeds'", BASE);
        }

        @Test
        void theTargetMustBeOfTheTargetModelOrDerivedFromIt() {
            relate("room", "r1", "feeds", "base", "");
            relate("room", "r2", "feeds", "special", "");
            putRoom("room2", "");
            relate("room", "r3", "feeds", "room2", "");

            assertAdtError(() -> relate("room", "r4", "feeds", "other", ""), 400, "InvalidRelationship",
                    "'feeds'", BASE, OTHER);
        }

        @Test
        void propertiesAreValidatedAgainstTheRelationship() {
            assertAdtError(() -> relate("room", "r1", "feeds", "base", "'weight':'heavy'"), 400, "ValidationFailed",
                    "'weight'");
            assertAdtError(() -> relate("room", "r1", "feeds", "base", "'colour':'red'"), 400, "ValidationFailed",
                    "'colour'", "'feeds'");
            assertAdtError(() -> relationships.get("room", "r1"), 404, "RelationshipNotFound", "r1");
        }

        @Test
        void putNeedsTargetAndNameAndExistingTwins() {
            assertAdtError(() -> relationships.put("room", "r1", json("{'$relationshipName':'near'}"), null),
                    400, "ValidationFailed", "$targetId");
            assertAdtError(() -> relationships.put("room", "r1", json("{'$targetId':'base'}"), null), 400,
                    "ValidationFailed", "$relationshipName");
            assertAdtError(() -> relate("room", "r1", "near", "ghost", ""), 404, "TargetTwinNotFound", "ghost");
            assertAdtError(() -> relate("ghost", "r1", "near", "base", ""), 404, "DigitalTwinNotFound", "ghost");
        }

        @Test
        void aTwinCannotRelateToItself() {
            assertAdtError(() -> relate("room", "r1", "near", "room", ""), 400, "OperationNotAllowed", "room");
        }

        @Test
        void aPutOnAnExistingRelationshipReplacesItsPropertiesButNotItsTarget() {
            String first = relate("room", "r1", "feeds", "base", "'weight':1").etag();

            String second = relate("room", "r1", "feeds", "base", "").etag();

            assertThat(second).isNotEqualTo(first);
            assertThat(relationships.get("room", "r1").has("weight")).isFalse();
            assertAdtError(() -> relate("room", "r1", "feeds", "special", ""), 400, "OperationNotAllowed", "r1",
                    "base");
            assertAdtError(() -> relate("room", "r1", "near", "base", ""), 400, "OperationNotAllowed", "r1");
            assertAdtError(() -> relationships.put("room", "r1", json("{'$targetId':'base',"
                    + "'$relationshipName':'feeds'}"), "*"), 412, "PreconditionFailed", "r1");
            assertThat(relationships.get("room", "r1").get("$targetId").asText()).isEqualTo("base");
        }

        @Test
        void patchChangesPropertiesWithTheTwinPatchRules() {
            String etag = relate("room", "r1", "feeds", "base", "").etag();

            assertAdtError(() -> relationships.patch("room", "r1",
                    json("[{'op':'replace','path':'/weight','value':1}]"), null), 400, "JsonPatchInvalid", "/weight");
            String next = relationships.patch("room", "r1", json("[{'op':'add','path':'/weight','value':2}]"),
                    etag);
            assertThat(next).isNotEqualTo(etag);
            assertThat(relationships.get("room", "r1").get("weight").asInt()).isEqualTo(2);

            assertAdtError(() -> relationships.patch("room", "r1",
                    json("[{'op':'replace','path':'/weight','value':'x'}]"), null), 400, "ValidationFailed", "weight");
            assertAdtError(() -> relationships.patch("room", "r1",
                    json("[{'op':'replace','path':'/$targetId','value':'special'}]"), null), 400, "JsonPatchInvalid",
                    "/$targetId");
            assertAdtError(() -> relationships.patch("room", "r1",
                    json("[{'op':'remove','path':'/weight'}]"), etag), 412, "PreconditionFailed", "r1");
            assertAdtError(() -> relationships.patch("room", "nope", json("[]"), null), 404,
                    "RelationshipNotFound", "nope");
            assertThat(relationships.get("room", "r1").get("$etag").asText()).isEqualTo(next);
        }

        @Test
        void aRelationshipOfAMissingTwinIsTheTwinsNotFound() {
            assertAdtError(() -> relationships.get("ghost", "r1"), 404, "DigitalTwinNotFound", "ghost");
            assertAdtError(() -> relationships.patch("ghost", "r1", json("[]"), null), 404, "DigitalTwinNotFound",
                    "ghost");
            assertAdtError(() -> relationships.delete("ghost", "r1", null), 404, "DigitalTwinNotFound", "ghost");
        }

        @Test
        void deleteRemovesOnlyThatRelationship() {
            String etag = relate("room", "r1", "near", "base", "").etag();
            relate("room", "r2", "near", "base", "");

            assertAdtError(() -> relationships.delete("room", "r1", "W/\"stale\""), 412, "PreconditionFailed",
                    "r1");
            relationships.delete("room", "r1", etag);

            assertAdtError(() -> relationships.get("room", "r1"), 404, "RelationshipNotFound", "r1");
            assertAdtError(() -> relationships.delete("room", "r1", null), 404, "RelationshipNotFound", "r1");
            assertThat(relationships.get("room", "r2")).isNotNull();
        }

        @Test
        void listFiltersByNameAndPagesById() {
            relate("room", "a", "near", "base", "");
            relate("room", "b", "feeds", "base", "");
            relate("room", "c", "near", "other", "");
            relate("room", "d", "feeds", "special", "");
            relate("room", "e", "near", "special", "");

            assertThat(relIds(relationships.listOutgoing("room", null, null, 10))).containsExactly("a", "b", "c", "d",
                    "e");
            assertThat(relIds(relationships.listOutgoing("room", null, null, 2))).containsExactly("a", "b");
            assertThat(relIds(relationships.listOutgoing("room", null, "b", 2))).containsExactly("c", "d");
            assertThat(relIds(relationships.listOutgoing("room", null, "d", 2))).containsExactly("e");
            assertThat(relIds(relationships.listOutgoing("room", "near", null, 2))).containsExactly("a", "c");
            assertThat(relIds(relationships.listOutgoing("room", "near", "c", 2))).containsExactly("e");
            assertThat(relationships.listOutgoing("base", null, null, 10)).isEmpty();
            assertAdtError(() -> relationships.listOutgoing("ghost", null, null, 10), 404, "DigitalTwinNotFound",
                    "ghost");
        }

        @Test
        void listIncomingNamesEverySourceInOrder() {
            relate("room", "x", "feeds", "base", "");
            relate("special", "a", "near", "base", "");
            relate("room", "a", "near", "base", "");
            relate("room", "y", "near", "other", "");

            List<ObjectNode> all = relationships.listIncoming("base", null, null, 10);
            assertThat(all).extracting(r -> r.get("$sourceId").asText() + "/" + r.get("$relationshipId").asText() + ":"
                    + r.get("$relationshipName").asText())
                    .containsExactly("room/a:near", "room/x:feeds", "special/a:near");
            assertThat(all.get(0).get("$relationshipLink").asText()).isEqualTo("/digitaltwins/room/relationships/a");
            assertThat(relationships.listIncoming("base", "room", "a", 1))
                    .extracting(r -> r.get("$relationshipId").asText()).containsExactly("x");
            assertThat(relationships.listIncoming("base", "room", "x", 5))
                    .extracting(r -> r.get("$sourceId").asText()).containsExactly("special");
            assertAdtError(() -> relationships.listIncoming("ghost", null, null, 10), 404, "DigitalTwinNotFound", "ghost");
        }

        @Test
        void aTwinWithRelationshipsCannotBeDeleted() {
            relate("room", "r1", "feeds", "base", "");

            assertAdtError(() -> twins.delete("room", null), 400, "RelationshipsNotDeleted", "room");
            assertAdtError(() -> twins.delete("base", null), 400, "RelationshipsNotDeleted", "base");

            relationships.delete("room", "r1", null);
            twins.delete("base", null);
            twins.delete("room", null);
            assertAdtError(() -> twins.get("room"), 404, "DigitalTwinNotFound", "room");
        }

        private List<String> relIds(List<ObjectNode> rels) {
            return rels.stream().map(r -> r.get("$relationshipId").asText()).toList();
        }
    }

    @Nested
    class Telemetry {

        @BeforeEach
        void twin() {
            putRoom("r1", "");
        }

        @Test
        void byDefaultAnyJsonIsTakenAsAdtTakesIt() {
            TelemetryIntake lenient = new TelemetryIntake(store, new TwinModels(models), null, false);

            assertThat(lenient.check("r1", null, json("{'bogus':1,'count':'x'}"), "m1", null).modelId())
                    .isEqualTo(ROOM);
            assertThat(lenient.check("r1", null, json("'a JSON-encoded string'"), "m2", null).payload().asText())
                    .isEqualTo("a JSON-encoded string");
            assertThat(lenient.check("r1", "comp1", json("[1,2]"), "m3", null).modelId()).isEqualTo(SENSOR);
            assertAdtError(() -> lenient.check("ghost", null, json("{}"), "m4", null), 404, "DigitalTwinNotFound",
                    "ghost");
            assertAdtError(() -> lenient.check("r1", "nope", json("{}"), "m5", null), 404, "ComponentNotFound",
                    "nope");
            assertAdtError(() -> lenient.check("r1", null, json("{}"), null, null), 400, "InvalidArgument",
                    "Message-Id");
        }

        @Test
        void validTelemetryIsCheckedAndDescribed() {
            TelemetryIntake.Telemetry first = intake.check("r1", null, json("{'temp':21.5}"), "m1", null);

            assertThat(first.modelId()).isEqualTo(ROOM);
            assertThat(first.twinId()).isEqualTo("r1");
            assertThat(first.messageId()).isEqualTo("m1");
            assertThat(first.payload()).isEqualTo(json("{'temp':21.5}"));
        }

        @Test
        void telemetryMustMatchTheModelsTelemetryContents() {
            assertAdtError(() -> intake.check("r1", null, json("{'bogus':1}"), "m1", null), 400,
                    "ValidationFailed", "'bogus'");
            assertAdtError(() -> intake.check("r1", null, json("{'count':1}"), "m1", null), 400,
                    "ValidationFailed", "'count'", "property");
            assertAdtError(() -> intake.check("r1", null, json("{'temp':'hot'}"), "m1", null), 400,
                    "ValidationFailed", "'temp'", "double");
            assertAdtError(() -> intake.check("r1", null, json("[1]"), "m1", null), 400,
                    "ValidationFailed", "JSON object");
            assertAdtError(() -> intake.check("r1", null, null, "m1", null), 400, "ValidationFailed",
                    "JSON object");
        }

        @Test
        void componentTelemetryIsCheckedAgainstTheComponentModel() {
            TelemetryIntake.Telemetry accepted = intake.check("r1", "comp1", json("{'reading':3}"), "m1", null);

            assertThat(accepted.modelId()).isEqualTo(SENSOR);
            assertThat(accepted.component()).isEqualTo("comp1");
            assertAdtError(() -> intake.check("r1", "comp1", json("{'temp':1.5}"), "m2", null), 400,
                    "ValidationFailed", "'temp'", SENSOR);
            assertAdtError(() -> intake.check("r1", "comp1", json("{'reading':1.5}"), "m2", null), 400,
                    "ValidationFailed", "'reading'");
            assertAdtError(() -> intake.check("r1", "nope", json("{'reading':1}"), "m2", null), 404,
                    "ComponentNotFound", "nope");
        }

        @Test
        void theMessageIdIsRequired() {
            assertAdtError(() -> intake.check("r1", null, json("{'temp':1}"), null, null), 400,
                    "InvalidArgument", "Message-Id");
            assertAdtError(() -> intake.check("r1", null, json("{'temp':1}"), " ", null), 400,
                    "InvalidArgument", "Message-Id");
        }

        @Test
        void theSourceTimeMustBeAnRfc3339DateTime() {
            assertAdtError(() -> intake.check("r1", null, json("{'temp':1}"), "m1", "yesterday"), 400,
                    "ValidationFailed", "Telemetry-Source-Time", "yesterday");
            assertAdtError(() -> intake.check("r1", null, json("{'temp':1}"), "m1", "2024-05-01T12:00:00"),
                    400, "ValidationFailed", "Telemetry-Source-Time");

            assertThat(intake.check("r1", null, json("{'temp':1}"), "m1", T1).sourceTime()).isEqualTo(T1);
        }

        @Test
        void telemetryForAnUnknownTwinIsNotFound() {
            assertAdtError(() -> intake.check("ghost", null, json("{'temp':1}"), "m1", null), 404,
                    "DigitalTwinNotFound", "ghost");
        }
    }
}
