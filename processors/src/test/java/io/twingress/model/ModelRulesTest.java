package io.twingress.model;

import static io.twingress.model.TestModels.assertAdtError;
import static io.twingress.model.TestModels.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.twingress.store.SqliteTwinStore;
import io.twingress.store.StoredModel;

/**
 * DTDL rules checked at upload, seen as a client of {@code POST /models} sees them: {@code 400 DTDLParserError} with a
 * message naming the element and the rule. Models stored before a rule existed keep loading.
 */
class ModelRulesTest {

    private static final String V2 = "dtmi:dtdl:context;2";
    private static final String V3 = "dtmi:dtdl:context;3";
    private static final String V3_QUANTITATIVE = "['" + V3 + "','dtmi:dtdl:extension:quantitativeTypes;1']";

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

    /** An interface; {@code context} is a quoted string or a JSON array, {@code body} extra members. */
    private static JsonNode model(String context, String id, String body) {
        String quoted = context.startsWith("[") ? context : "'" + context + "'";
        return json("{'@context':" + quoted + ",'@id':'" + id + "','@type':'Interface'"
                + (body.isEmpty() ? "" : "," + body) + "}");
    }

    private static String contents(String... elements) {
        return "'contents':[" + String.join(",", elements) + "]";
    }

    private void assertRefused(JsonNode model, String... fragments) {
        assertAdtError(() -> models.upload(List.of(model)), 400, "DTDLParserError", fragments);
        assertThat(models.find(model.get("@id").asText())).as("nothing stored").isNull();
    }

    private void assertAccepted(JsonNode model) {
        models.upload(List.of(model));
        assertThat(models.find(model.get("@id").asText())).isNotNull();
    }

    @Nested
    class Integers {

        private String relationship(String members) {
            return contents("{'@type':'Relationship','name':'r'" + members + "}");
        }

        @Test
        void multiplicitiesBeyondThe32BitRangeAreRefusedNotWrapped() {
            for (String context : List.of(V2, V3)) {
                // 2^64 used to be read as a long, wrap to 0 and pass as minMultiplicity 0
                assertRefused(model(context, "dtmi:com:x:A;1", relationship(",'minMultiplicity':18446744073709551616")),
                        "content 'r': minMultiplicity 18446744073709551616 is outside the 32-bit integer range");
                assertRefused(model(context, "dtmi:com:x:A;1", relationship(",'minMultiplicity':4294967296")),
                        "minMultiplicity 4294967296 is outside the 32-bit integer range");
                assertRefused(model(context, "dtmi:com:x:A;1", relationship(",'maxMultiplicity':2147483648")),
                        "content 'r': maxMultiplicity 2147483648 is outside the 32-bit integer range");
                assertRefused(model(context, "dtmi:com:x:A;1", relationship(",'minMultiplicity':0.5")),
                        "minMultiplicity must be an integer");
            }
        }

        @Test
        void v3TakesAMaxMultiplicityUpToTheLargest32BitInteger() {
            assertAccepted(model(V3, "dtmi:com:x:A;1",
                    relationship(",'minMultiplicity':0,'maxMultiplicity':2147483647")));
            assertRefused(model(V2, "dtmi:com:x:B;1", relationship(",'maxMultiplicity':2147483647")),
                    "DTDL v2 allows a maxMultiplicity of at most 500");
        }

        @Test
        void integerEnumValuesBeyondThe32BitRangeAreRefused() {
            for (String context : List.of(V2, V3)) {
                assertRefused(model(context, "dtmi:com:x:A;1", contents("{'@type':'Property','name':'level','schema':"
                                + "{'@type':'Enum','valueSchema':'integer','enumValues':["
                                + "{'name':'low','enumValue':1},{'name':'huge','enumValue':2147483648}]}}")),
                        "enum value 'huge': enumValue 2147483648 is outside the 32-bit integer range");
            }
        }
    }

    @Nested
    class LanguageMaps {

        @Test
        void keysAreBcp47LanguageTags() {
            assertAccepted(model(V3, "dtmi:com:x:A;1", "'displayName':{'en':'Room','de-CH':'Zimmer',"
                    + "'zh-Hant-TW':'房間','es-419':'Cuarto','x-house':'R'},'description':{'en-GB':'A room'}"));
            for (String context : List.of(V2, V3)) {
                assertRefused(model(context, "dtmi:com:x:B;1", "'displayName':{'english':'Room'}"),
                        "dtmi:com:x:B;1: interface: displayName language 'english' is not a BCP 47 language tag");
                assertRefused(model(context, "dtmi:com:x:B;1", "'description':{'en_US':'A room'}"),
                        "description language 'en_US' is not a BCP 47 language tag");
                assertRefused(model(context, "dtmi:com:x:B;1", "'displayName':{'':'Room'}"),
                        "displayName language '' is not a BCP 47 language tag");
                assertRefused(model(context, "dtmi:com:x:B;1", "'displayName':{'en':'Room','EN':'ROOM'}"),
                        "displayName gives language 'EN' more than once");
            }
        }

        @Test
        void everyElementsTextsAreChecked() {
            assertRefused(model(V3, "dtmi:com:x:A;1", contents(
                            "{'@type':'Telemetry','name':'t','schema':'double','displayName':{'de-':'T'}}")),
                    "content 't': displayName language 'de-' is not a BCP 47 language tag");
            assertRefused(model(V3, "dtmi:com:x:A;1", contents("{'@type':'Property','name':'mode','schema':"
                            + "{'@type':'Enum','valueSchema':'string','enumValues':["
                            + "{'name':'on','enumValue':'on','displayName':{'deutsch':'an'}}]}}")),
                    "enum value 'on': displayName language 'deutsch'");
            assertRefused(model(V2, "dtmi:com:x:A;1", contents("{'@type':'Property','name':'p','schema':"
                            + "{'@type':'Object','fields':[{'name':'f','schema':'string','description':{'1':'x'}}]}}")),
                    "field 'f': description language '1'");
        }

        @Test
        void aMapHoldsAtMostOneHundredLanguages() {
            assertAccepted(model(V3, "dtmi:com:x:A;1", "'displayName':" + languages(100)));
            assertRefused(model(V3, "dtmi:com:x:B;1", "'displayName':" + languages(101)),
                    "displayName has 101 languages; at most 100 are allowed");
        }

        /** {'aa':'n','ab':'n',...}: distinct, well-formed two-letter tags. */
        private String languages(int n) {
            return IntStream.range(0, n)
                    .mapToObj(i -> "'" + (char) ('a' + i / 26) + (char) ('a' + i % 26) + "':'n'")
                    .collect(Collectors.joining(",", "{", "}"));
        }

        @Test
        void textsKeepDtdlsLengthLimitsInBothVersions() {
            for (String context : List.of(V2, V3)) {
                // DTDL v3's normative specification allows display names of 512 characters, v2 of 64
                int max = context.equals(V2) ? 64 : 512;
                assertAccepted(model(context, "dtmi:com:x:Ok" + context.charAt(context.length() - 1) + ";1",
                        "'displayName':'" + "d".repeat(max) + "','description':{'en':'" + "d".repeat(512) + "'}"));
                assertRefused(model(context, "dtmi:com:x:A;1", "'displayName':{'en':'" + "d".repeat(max + 1) + "'}"),
                        "displayName is longer than " + max + " characters");
                assertRefused(model(context, "dtmi:com:x:A;1", "'description':'" + "d".repeat(513) + "'"),
                        "description is longer than 512 characters");
            }
        }
    }

    @Nested
    class Units {

        private String telemetry(String semanticType, String unit) {
            return contents("{'@type':['Telemetry','" + semanticType + "'],'name':'t','schema':'double','unit':'"
                    + unit + "'}");
        }

        @Test
        void aSemanticTypeTakesOnlyItsOwnUnits() {
            assertRefused(model(V2, "dtmi:com:x:A;1", contents(
                            "{'@type':['Property','Temperature'],'name':'temp','schema':'double','unit':'metre'}")),
                    "content 'temp': unit 'metre' is not a TemperatureUnit, which Temperature takes:"
                            + " degreeCelsius, degreeFahrenheit, kelvin");
            assertRefused(model(V3_QUANTITATIVE, "dtmi:com:x:A;1", telemetry("Temperature", "metre")),
                    "unit 'metre' is not a TemperatureUnit");
            assertRefused(model(V3_QUANTITATIVE, "dtmi:com:x:A;1", telemetry("Pressure", "Pascal")),
                    "unit 'Pascal' is not a PressureUnit");
            assertAccepted(model(V2, "dtmi:com:x:A;1", telemetry("Temperature", "kelvin")));
            assertAccepted(model(V3_QUANTITATIVE, "dtmi:com:x:B;1", telemetry("Pressure", "pascal")));
        }

        @Test
        void semanticTypesSharingAUnitTypeTakeTheSameUnits() {
            assertAccepted(model(V2, "dtmi:com:x:A;1", contents(
                    "{'@type':['Telemetry','Humidity'],'name':'h','schema':'double','unit':'gramPerCubicMetre'}",
                    "{'@type':['Telemetry','Luminosity'],'name':'l','schema':'double','unit':'watt'}",
                    "{'@type':['Telemetry','Distance'],'name':'d','schema':'float','unit':'nauticalMile'}",
                    "{'@type':['Property','RelativeHumidity'],'name':'rh','schema':'integer','unit':'percent'}")));
            assertRefused(model(V2, "dtmi:com:x:B;1", telemetry("Humidity", "percent")),
                    "unit 'percent' is not a DensityUnit, which Humidity takes");
        }

        @Test
        void unitsTheV3ExtensionAddedAreNotV2Units() {
            assertRefused(model(V2, "dtmi:com:x:A;1", telemetry("Density", "microgramPerCubicMetre")),
                    "unit 'microgramPerCubicMetre' is not a DensityUnit");
            assertRefused(model(V2, "dtmi:com:x:A;1", telemetry("Pressure", "hectopascal")),
                    "unit 'hectopascal' is not a PressureUnit");
            assertAccepted(model(V3_QUANTITATIVE, "dtmi:com:x:A;1", contents(
                    "{'@type':['Telemetry','Density'],'name':'d','schema':'double','unit':'microgramPerCubicMetre'}",
                    "{'@type':['Telemetry','Pressure'],'name':'p','schema':'double','unit':'hectopascal'}",
                    "{'@type':['Telemetry','Concentration'],'name':'c','schema':'double','unit':'partsPerMillion'}",
                    "{'@type':['Telemetry','EnergyRate'],'name':'e','schema':'double','unit':'tonOfRefrigeration'}")));
        }

        @Test
        void semanticTypesTheV3ExtensionAddedAreNotV2Types() {
            // in DTDL v2 such a term is an undefined co-type, which v2 allows with any members, so the unit is not
            // checked; as a semantic type it would need a numeric schema
            assertAccepted(model(V2, "dtmi:com:x:A;1", contents(
                    "{'@type':['Telemetry','ApparentPower'],'name':'p','schema':'string','unit':'voltAmpere'}")));
            assertRefused(model(V2, "dtmi:com:x:B;1", contents(
                    "{'@type':['Telemetry','Power'],'name':'p','schema':'string','unit':'watt'}")),
                    "a semantic type needs a numeric schema");
        }

        @Test
        void v3RefusesCoTypesTheExtensionDoesNotDefine() {
            assertRefused(model(V3_QUANTITATIVE, "dtmi:com:x:A;1", telemetry("Wobble", "metre")),
                    "content 't': 'Wobble' is not a semantic type of dtmi:dtdl:extension:quantitativeTypes;1");
        }

        @Test
        void everySemanticTypeNamesAUnitTypeWithUnits() {
            for (int version : List.of(2, 3)) {
                for (String semanticType : SemanticTypes.semanticTypes(version)) {
                    String unitType = SemanticTypes.unitType(version, semanticType);
                    assertThat(SemanticTypes.units(version, unitType)).as("v%d %s (%s)", version, semanticType,
                            unitType).isNotEmpty();
                }
            }
            assertThat(SemanticTypes.semanticTypes(2)).hasSize(42);
            assertThat(SemanticTypes.semanticTypes(3)).hasSize(52).containsAll(SemanticTypes.semanticTypes(2));
        }
    }

    @Nested
    class Ids {

        private static final String STORED = "dtmi:com:x:Stored;1";

        private JsonNode withSchema(String context, String id, String schemaId) {
            return model(context, id, "'schemas':[{'@id':'" + schemaId + "','@type':'Enum','valueSchema':'string',"
                    + "'enumValues':[{'name':'a','enumValue':'a'}]}]");
        }

        @Test
        void aSchemaMayNotTakeTheIdOfAStoredModel() {
            models.upload(List.of(model(V2, STORED, "")));
            for (String context : List.of(V2, V3)) {
                assertRefused(withSchema(context, "dtmi:com:x:A;1", STORED),
                        "dtmi:com:x:A;1: .schemas[0].@id: '" + STORED + "' is already the @id of a stored model");
            }
        }

        @Test
        void aSchemaMayNotTakeTheIdOfAStoredElement() {
            models.upload(List.of(withSchema(V3, STORED, "dtmi:com:x:Shared;1")));

            assertRefused(withSchema(V3, "dtmi:com:x:A;1", "dtmi:com:x:Shared;1"),
                    "'dtmi:com:x:Shared;1' is already the @id of an element of stored model " + STORED);
            assertRefused(model(V2, "dtmi:com:x:Shared;1", ""),
                    "dtmi:com:x:Shared;1: @id is already the @id of an element of stored model " + STORED);
        }

        @Test
        void aSchemaMayNotTakeTheIdOfAModelInTheSameUpload() {
            for (String context : List.of(V2, V3)) {
                assertAdtError(() -> models.upload(List.of(model(context, "dtmi:com:x:B;1", ""),
                                withSchema(context, "dtmi:com:x:A;1", "dtmi:com:x:B;1"))), 400, "DTDLParserError",
                        "'dtmi:com:x:B;1' is used by more than one element in the batch");
            }
        }

        @Test
        void aDeletedModelsIdsAreFreeAgain() {
            models.upload(List.of(withSchema(V3, STORED, "dtmi:com:x:Shared;1")));
            models.delete(STORED);

            assertAccepted(withSchema(V3, "dtmi:com:x:A;1", "dtmi:com:x:Shared;1"));
        }
    }

    @Nested
    class StoredBeforeTheRules {

        /** A row as an earlier release stored it, without the checks of this one. */
        private void storeRaw(JsonNode definition) {
            store.write(tx -> {
                tx.lockModels();
                tx.insertModel(new StoredModel(definition.get("@id").asText(), definition.toString(), Instant.now(),
                        false));
                return null;
            });
        }

        @Test
        void modelsStoredBeforeARuleExistedKeepLoading() {
            JsonNode old = model(V3_QUANTITATIVE, "dtmi:com:x:Old;1", "'displayName':{'english':'" + "x".repeat(80)
                    + "'}," + contents(
                    "{'@type':['Telemetry','Temperature'],'name':'t','schema':'double','unit':'metre'}",
                    "{'@type':['Telemetry','Wobble'],'name':'w','schema':'double','unit':'x'}"));
            JsonNode sharing = model(V3, "dtmi:com:x:Sharing;1", "'schemas':[{'@id':'dtmi:com:x:Old;1',"
                    + "'@type':'Enum','valueSchema':'string','enumValues':[{'name':'a','enumValue':'a'}]}]");
            storeRaw(old);
            storeRaw(sharing);

            assertThat(models.find("dtmi:com:x:Old;1")).isNotNull();
            assertThat(new ModelService(store).list(null)).extracting(e -> e.model().id())
                    .containsExactly("dtmi:com:x:Old;1", "dtmi:com:x:Sharing;1");
            assertRefused(model(V3_QUANTITATIVE, "dtmi:com:x:New;1", contents(
                    "{'@type':['Telemetry','Temperature'],'name':'t','schema':'double','unit':'metre'}")),
                    "unit 'metre' is not a TemperatureUnit");
        }

        @Test
        void aStoredModelWhoseBaseIsGoneIsLeftOutWithoutHidingTheOthers() {
            storeRaw(model(V2, "dtmi:com:x:Healthy;1", ""));
            storeRaw(model(V2, "dtmi:com:x:Orphan;1", "'extends':'dtmi:com:x:Gone;1'"));
            storeRaw(model(V2, "dtmi:com:x:Derived;1", "'extends':'dtmi:com:x:Healthy;1'"));

            ModelService fresh = new ModelService(store);

            assertThat(fresh.list(null)).extracting(e -> e.model().id())
                    .containsExactly("dtmi:com:x:Healthy;1", "dtmi:com:x:Derived;1");
            assertThat(fresh.modelAndDerived("dtmi:com:x:Healthy;1"))
                    .containsExactly("dtmi:com:x:Healthy;1", "dtmi:com:x:Derived;1");
        }
    }
}
