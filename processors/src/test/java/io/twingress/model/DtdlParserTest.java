package io.twingress.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class DtdlParserTest {

    /** Single quotes keep the inline models readable. */
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_SINGLE_QUOTES).build();
    private static final String V2 = "dtmi:dtdl:context;2";
    private static final String V3 = "dtmi:dtdl:context;3";

    private final DtdlParser parser = new DtdlParser();

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** An Interface with the given context and id; {@code body} is extra members such as "'contents':[...]". */
    static JsonNode iface(String context, String id, String body) {
        return json("{'@context':'" + context + "','@id':'" + id + "','@type':'Interface'"
                + (body.isEmpty() ? "" : "," + body) + "}");
    }

    static JsonNode v2(String id, String body) {
        return iface(V2, id, body);
    }

    static JsonNode v3(String id, String body) {
        return iface(V3, id, body);
    }

    static String contents(String... elements) {
        return "'contents':[" + String.join(",", elements) + "]";
    }

    static String property(String name, String schema) {
        return "{'@type':'Property','name':'" + name + "','schema':" + schema + "}";
    }

    static JsonNode resource(String name) throws IOException {
        try (InputStream in = DtdlParserTest.class.getResourceAsStream("/models/" + name)) {
            return JSON.readTree(in);
        }
    }

    private List<InterfaceModel> parse(JsonNode... models) {
        return parser.parse(List.of(models), id -> null);
    }

    private InterfaceModel parseOne(JsonNode model) {
        return parse(model).get(0);
    }

    private InterfaceModel parseOne(JsonNode model, Function<String, InterfaceModel> stored) {
        return parser.parse(List.of(model), stored).get(0);
    }

    private void assertRejected(JsonNode model, String... fragments) {
        assertThatThrownBy(() -> parse(model)).isInstanceOf(DtdlException.class).message().contains(fragments);
    }

    private void assertRejected(List<JsonNode> batch, String... fragments) {
        assertThatThrownBy(() -> parser.parse(batch, id -> null))
                .isInstanceOf(DtdlException.class).message().contains(fragments);
    }

    @Nested
    class SampleModels {

        @Test
        void spaceAndThermostatParseWithRelationshipProperties() throws IOException {
            List<InterfaceModel> models = parse(resource("space.json"), resource("thermostat.json"));

            InterfaceModel space = models.get(0);
            assertThat(space.id()).isEqualTo("dtmi:contosocom:DigitalTwins:Space;1");
            assertThat(space.dtdlVersion()).isEqualTo(2);
            assertThat(space.contents()).containsOnlyKeys(
                    "DisplayName", "Location", "Temperature", "ComfortIndex", "contains", "contained");
            assertThat(space.content("Temperature")).isEqualTo(
                    new Content.Property("Temperature", new Schema.Primitive(Schema.PrimitiveKind.DOUBLE), false));
            Content.Relationship contains = (Content.Relationship) space.content("contains");
            assertThat(contains.target()).isNull();
            assertThat(contains.properties()).containsOnlyKeys("ownershipUser", "ownershipDepartment");
            assertThat(space.references()).isEmpty();
            assertThat(space.ancestors()).isEmpty();

            InterfaceModel thermostat = models.get(1);
            assertThat(thermostat.contents().keySet()).containsExactly("DisplayName", "Location", "FirmwareVersion",
                    "Temperature", "ComfortIndex", "contains", "serves");
            assertThat(((Content.Relationship) thermostat.content("serves")).properties().get("ownershipDepartment")
                    .schema()).isEqualTo(new Schema.Primitive(Schema.PrimitiveKind.STRING));
        }

        @Test
        void definitionIsKeptAsUploaded() throws IOException {
            // compared with a second reading of the file: the parsed model holds the node it was given, so
            // comparing with that node would pass even if the parser changed it
            JsonNode definition = parseOne(resource("space.json")).definition();
            assertThat(definition).isEqualTo(resource("space.json"));
        }
    }

    @Nested
    class Dtmis {

        @Test
        void v2RequiresAWholeNumberVersion() {
            assertRejected(v2("dtmi:com:x:Room", ""), "dtmi:com:x:Room: @id", "needs a version suffix");
            assertRejected(v2("dtmi:com:x:Room;1.2", ""), "minor version");
        }

        @Test
        void v3AllowsNoVersionOrMajorMinor() {
            assertThat(parseOne(v3("dtmi:com:x:Room", "")).dtdlVersion()).isEqualTo(3);
            assertThat(parseOne(v3("dtmi:com:x:Room;1.2", "")).id()).isEqualTo("dtmi:com:x:Room;1.2");
        }

        @Test
        void malformedDtmisAreRejected() {
            assertRejected(v2("dtmi:com:x:Room;0", ""), "'dtmi:com:x:Room;0' is not a valid DTMI");
            assertRejected(v2("dtmi:com:x-y:Room;1", ""), "is not a valid DTMI");
            assertRejected(v2("urn:com:x:Room;1", ""), "is not a valid DTMI");
            assertRejected(v2("dtmi:com:x:Room_;1", ""), "is not a valid DTMI");
        }

        @Test
        void systemSegmentsAreReserved() {
            assertRejected(v2("dtmi:com:_x:Room;1", ""), "segment '_x'", "reserved for the system");
        }

        @Test
        void interfaceIdsAreAtMost128Characters() {
            String id127 = "dtmi:" + "a".repeat(120) + ";1";
            assertThat(parseOne(v2(id127, "")).id()).hasSize(127);
            String id129 = "dtmi:" + "a".repeat(122) + ";1";
            assertRejected(v2(id129, ""), "longer than 128 characters");
        }

        @Test
        void elementIdsAreAtMost2048Characters() {
            String longId = "dtmi:" + "a".repeat(2042) + ";1";
            assertRejected(v2("dtmi:com:x:A;1", contents(
                            "{'@type':'Property','@id':'" + longId + "','name':'p','schema':'string'}")),
                    "contents[0].@id", "longer than 2048 characters");
        }

        @Test
        void comparisonIsCaseSensitive() {
            assertRejected(List.of(v2("dtmi:com:x:Base;1", ""), v2("dtmi:com:x:A;1", "'extends':'dtmi:com:x:base;1'")),
                    "dtmi:com:x:A;1: extends: 'dtmi:com:x:base;1' is neither in the batch nor an uploaded model");
        }
    }

    @Nested
    class InterfaceShape {

        @Test
        void contextMustBeDtdlV2OrV3() {
            assertThatThrownBy(() -> parse(iface("dtmi:dtdl:context;1", "dtmi:com:x:A;1", "")))
                    .isInstanceOf(DtdlException.UnsupportedVersion.class)
                    .hasMessageContaining("dtmi:com:x:A;1: @context 'dtmi:dtdl:context;1' is a DTDL version");
            assertThatThrownBy(() -> parse(iface("dtmi:dtdl:context;4", "dtmi:com:x:A;1", "")))
                    .isInstanceOf(DtdlException.UnsupportedVersion.class);
            assertThatThrownBy(() -> parse(iface("dtmi:dtdl:context;x", "dtmi:com:x:A;1", "")))
                    .isNotInstanceOf(DtdlException.UnsupportedVersion.class)
                    .hasMessageContaining("@context 'dtmi:dtdl:context;x' is neither");
            assertRejected(json("{'@id':'dtmi:com:x:A;1','@type':'Interface'}"), "@context is required");
        }

        @Test
        void v3AcceptsKnownExtensionContexts() {
            JsonNode model = json("{'@context':['" + V3 + "','dtmi:dtdl:extension:historization;1',"
                    + "'dtmi:dtdl:extension:quantitativeTypes;1'],'@id':'dtmi:com:x:A;1','@type':'Interface'}");
            assertThat(parseOne(model).dtdlVersion()).isEqualTo(3);
        }

        @Test
        void unknownOrMisplacedExtensionsAreRejected() {
            assertRejected(json("{'@context':['" + V3 + "','dtmi:com:x:ext;1'],'@id':'dtmi:com:x:A;1','@type':'Interface'}"),
                    "'dtmi:com:x:ext;1' is not a supported extension");
            assertRejected(json("{'@context':['" + V2 + "','dtmi:dtdl:extension:historization;1'],"
                    + "'@id':'dtmi:com:x:A;1','@type':'Interface'}"), "DTDL v2 does not support extensions");
            assertRejected(json("{'@context':['dtmi:dtdl:extension:historization;1','" + V3 + "'],"
                    + "'@id':'dtmi:com:x:A;1','@type':'Interface'}"), "a DTDL context must come first");
        }

        @Test
        void topLevelMustBeAnInterfaceWithAnId() {
            assertRejected(json("{'@context':'" + V2 + "','@id':'dtmi:com:x:A;1','@type':'Telemetry'}"),
                    "dtmi:com:x:A;1: @type must be 'Interface'");
            assertRejected(json("{'@context':'" + V2 + "','@type':'Interface'}"),
                    "model at index 0: @id is required");
        }

        @Test
        void unknownKeysAreRejected() {
            assertRejected(v2("dtmi:com:x:A;1", "'owner':'me'"), "dtmi:com:x:A;1: interface: unknown key 'owner'");
            assertRejected(v2("dtmi:com:x:A;1", contents(
                            "{'@type':'Property','name':'p','schema':'string','colour':'red'}")),
                    "content 'p': unknown key 'colour'");
        }

        @Test
        void descriptiveKeysTakeStringsOrLanguageMaps() {
            assertThat(parseOne(v2("dtmi:com:x:A;1",
                    "'displayName':{'en':'Room','de':'Raum'},'description':'A room','comment':'ok'"))).isNotNull();
            assertRejected(v2("dtmi:com:x:A;1", "'displayName':5"), "displayName must be a string or a map");
            assertRejected(v2("dtmi:com:x:A;1", "'comment':'" + "c".repeat(513) + "'"),
                    "comment must be a string of at most 512 characters");
        }

        @Test
        void commandsAreKeptButTheirPayloadsAreChecked() {
            // DTDL and ADT accept Commands; twins simply never use them (JsonLdFormsTest covers their payloads)
            assertThat(parseOne(v2("dtmi:com:x:A;1", contents("{'@type':'Command','name':'reboot'}")))
                    .content("reboot")).isInstanceOf(Content.Command.class);
            assertRejected(v2("dtmi:com:x:A;1", contents("{'@type':'Command','name':'reboot','request':"
                            + "{'name':'delay','schema':'notASchema'}}")),
                    "dtmi:com:x:A;1: content 'reboot': request", "notASchema");
        }

        @Test
        void modelsOverOneMebibyteAreRejected() {
            String padding = "x".repeat(500);
            String manyProperties = IntStream.range(0, 2200)
                    .mapToObj(i -> "{'@type':'Property','name':'p" + i + "','schema':'string','comment':'" + padding + "'}")
                    .collect(Collectors.joining(","));
            assertRejected(v3("dtmi:com:x:Big;1", "'contents':[" + manyProperties + "]"),
                    "dtmi:com:x:Big;1: the model is larger than 1 MiB");
        }
    }

    @Nested
    class Names {

        @Test
        void namesFollowTheDtdlPattern() {
            assertRejected(v2("dtmi:com:x:A;1", contents(property("1abc", "'string'"))),
                    "contents[0]: name '1abc' must start with a letter");
            assertRejected(v2("dtmi:com:x:A;1", contents(property("abc_", "'string'"))), "name 'abc_'");
            assertRejected(v2("dtmi:com:x:A;1", contents(property("a".repeat(65), "'string'"))),
                    "longer than 64 characters");
            assertThat(parseOne(v2("dtmi:com:x:A;1", contents(property("a_1" + "b".repeat(61), "'string'"))))
                    .contents()).hasSize(1);
        }

        @Test
        void namesAreUniqueWithinAnInterface() {
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", "'string'"), property("p", "'double'"))),
                    "content 'p': the name is used by more than one content");
        }

        @Test
        void inheritedNamesMayNotBeRedeclared() {
            assertRejected(List.of(v2("dtmi:com:x:Base;1", contents(property("p", "'string'"))),
                            v2("dtmi:com:x:A;1", "'extends':'dtmi:com:x:Base;1'," + contents(property("p", "'string'")))),
                    "dtmi:com:x:A;1: content 'p': redeclares content 'p' inherited from 'dtmi:com:x:Base;1'");
        }

        @Test
        void twoBasesMayNotDeclareTheSameName() {
            assertRejected(List.of(v2("dtmi:com:x:B1;1", contents(property("p", "'string'"))),
                            v2("dtmi:com:x:B2;1", contents(property("p", "'string'"))),
                            v2("dtmi:com:x:A;1", "'extends':['dtmi:com:x:B1;1','dtmi:com:x:B2;1']")),
                    "dtmi:com:x:A;1: extends: content 'p' is inherited from both");
        }
    }

    @Nested
    class SemanticTypes {

        private static final String TEMPERATURE =
                "{'@type':['Telemetry','Temperature'],'name':'temp','schema':'double','unit':'degreeCelsius'}";

        @Test
        void v2SemanticTypesNeedUnitAndNumericSchema() {
            InterfaceModel model = parseOne(v2("dtmi:com:x:A;1", contents(TEMPERATURE)));
            assertThat(model.content("temp")).isInstanceOf(Content.Telemetry.class);

            assertRejected(v2("dtmi:com:x:A;1", contents(
                            "{'@type':['Telemetry','Temperature'],'name':'temp','schema':'double'}")),
                    "content 'temp': a semantic type needs a 'unit'");
            assertRejected(v2("dtmi:com:x:A;1", contents(
                            "{'@type':['Property','Temperature'],'name':'temp','schema':'string','unit':'kelvin'}")),
                    "content 'temp': a semantic type needs a numeric schema");
            assertRejected(v2("dtmi:com:x:A;1", contents(
                            "{'@type':['Telemetry','dtmi:com:x:Wobble;1'],'name':'temp','schema':'double','unit':'x'}")),
                    "'dtmi:com:x:Wobble;1' is not a DTDL v2 semantic type");
        }

        @Test
        void unitNeedsASemanticType() {
            assertRejected(v2("dtmi:com:x:A;1", contents(
                            "{'@type':'Telemetry','name':'temp','schema':'double','unit':'kelvin'}")),
                    "content 'temp': 'unit' is only allowed with a semantic type");
        }

        @Test
        void v3SemanticTypesNeedTheQuantitativeTypesExtension() {
            assertRejected(v3("dtmi:com:x:A;1", contents(TEMPERATURE)),
                    "semantic type 'Temperature' needs the extension context dtmi:dtdl:extension:quantitativeTypes;1");
            JsonNode withExtension = json("{'@context':['" + V3 + "','dtmi:dtdl:extension:quantitativeTypes;1'],"
                    + "'@id':'dtmi:com:x:A;1','@type':'Interface'," + contents(TEMPERATURE,
                    "{'@type':['Property','ApparentPower'],'name':'va','schema':'float','unit':'voltAmpere'}") + "}");
            assertThat(parseOne(withExtension).contents()).containsOnlyKeys("temp", "va");
        }

        @Test
        void extensionCoTypesNeedTheirExtension() {
            String historized = contents("{'@type':['Property','Historized'],'name':'p','schema':'double'}");
            assertRejected(v3("dtmi:com:x:A;1", historized),
                    "co-type 'Historized' needs the extension context dtmi:dtdl:extension:historization;1");
            JsonNode ok = json("{'@context':['" + V3 + "','dtmi:dtdl:extension:historization;1'],"
                    + "'@id':'dtmi:com:x:A;1','@type':'Interface'," + historized + "}");
            assertThat(parseOne(ok).content("p")).isInstanceOf(Content.Property.class);
        }
    }

    @Nested
    class Properties {

        @Test
        void propertyNeedsASchemaAndABooleanWritable() {
            assertRejected(v2("dtmi:com:x:A;1", contents("{'@type':'Property','name':'p'}")),
                    "content 'p': schema is required");
            assertRejected(v2("dtmi:com:x:A;1", contents(
                    "{'@type':'Property','name':'p','schema':'string','writable':'yes'}")), "writable must be true or false");
            Content.Property writable = (Content.Property) parseOne(v2("dtmi:com:x:A;1", contents(
                    "{'@type':'Property','name':'p','schema':'string','writable':true}"))).content("p");
            assertThat(writable.writable()).isTrue();
        }

        @Test
        void unknownSchemaNamesAreRejected() {
            assertRejected(v2("dtmi:com:x:Room;1", contents(property("temp", "'strin'"))),
                    "dtmi:com:x:Room;1: content 'temp': schema 'strin' is not a primitive schema, a complex schema"
                            + " object or a known schema DTMI");
        }

        @Test
        void v2ForbidsArraysAnywhereInAPropertySchema() {
            String array = "{'@type':'Array','elementSchema':'string'}";
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", array))),
                    "content 'p': DTDL v2 does not allow Array schemas in a Property");
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p",
                            "{'@type':'Object','fields':[{'name':'f','schema':" + array + "}]}"))),
                    "content 'p': field 'f': DTDL v2 does not allow Array");
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", "{'@type':'Map','mapKey':{'name':'k',"
                            + "'schema':'string'},'mapValue':{'name':'v','schema':" + array + "}}"))),
                    "content 'p': mapValue: schema: DTDL v2 does not allow Array");
        }

        @Test
        void arraysAreAllowedInV2TelemetryAndV3Properties() {
            String array = "{'@type':'Array','elementSchema':'integer'}";
            Content.Telemetry telemetry = (Content.Telemetry) parseOne(v2("dtmi:com:x:A;1",
                    contents("{'@type':'Telemetry','name':'t','schema':" + array + "}"))).content("t");
            assertThat(telemetry.schema()).isEqualTo(
                    new Schema.ArraySchema(new Schema.Primitive(Schema.PrimitiveKind.INTEGER)));
            assertThat(parseOne(v3("dtmi:com:x:A;1", contents(property("p", array)))).content("p"))
                    .isInstanceOf(Content.Property.class);
        }

        @Test
        void telemetryNeedsASchema() {
            assertRejected(v2("dtmi:com:x:A;1", contents("{'@type':'Telemetry','name':'t'}")),
                    "content 't': schema is required");
        }
    }

    @Nested
    class Relationships {

        private JsonNode relationship(String members) {
            return v2("dtmi:com:x:A;1", contents("{'@type':'Relationship','name':'r'" + members + "}"));
        }

        @Test
        void targetIsAnOptionalDtmiThatNeedNotExist() {
            Content.Relationship r = (Content.Relationship) parseOne(
                    relationship(",'target':'dtmi:com:x:Missing;1','maxMultiplicity':5")).content("r");
            assertThat(r.target()).isEqualTo("dtmi:com:x:Missing;1");
            assertThat(r.maxMultiplicity()).isEqualTo(5);
            assertRejected(relationship(",'target':'*'"), "content 'r': target: '*' is not a valid DTMI");
        }

        @Test
        void multiplicityLimits() {
            assertRejected(relationship(",'maxMultiplicity':0"), "content 'r': maxMultiplicity must be an integer of at least 1");
            assertRejected(relationship(",'maxMultiplicity':501"), "DTDL v2 allows a maxMultiplicity of at most 500");
            assertRejected(relationship(",'minMultiplicity':1"), "content 'r': minMultiplicity must be 0");
            assertThat(parseOne(relationship(",'minMultiplicity':0,'maxMultiplicity':500"))).isNotNull();
            assertThat(parseOne(v3("dtmi:com:x:A;1", contents(
                    "{'@type':'Relationship','name':'r','maxMultiplicity':501}")))).isNotNull();
        }

        @Test
        void propertiesAreValidatedLikeProperties() {
            assertRejected(relationship(",'properties':[" + property("p", "'string'") + "," + property("p", "'long'") + "]"),
                    "content 'r': property 'p': the name is used by more than one property of the relationship");
            assertRejected(relationship(",'properties':[{'@type':'Telemetry','name':'t','schema':'double'}]"),
                    "content 'r': property 't': relationship properties must have @type Property");
            assertRejected(relationship(",'properties':[" + property("p", "'strin'") + "]"),
                    "content 'r': property 'p': schema 'strin'");
            assertRejected(relationship(",'properties':[" + property("p", "{'@type':'Array','elementSchema':'string'}") + "]"),
                    "content 'r': property 'p': DTDL v2 does not allow Array");
        }

        @Test
        void v2LimitsRelationshipPropertiesTo300() {
            String properties = IntStream.range(0, 301).mapToObj(i -> property("p" + i, "'string'"))
                    .collect(Collectors.joining(","));
            assertRejected(relationship(",'properties':[" + properties + "]"), "at most 300 relationship properties");
        }
    }

    @Nested
    class Components {

        private static final String COMPONENT = "{'@type':'Component','name':'c','schema':'dtmi:com:x:Part;1'}";

        @Test
        void componentSchemaResolvesInTheBatch() {
            List<InterfaceModel> models = parse(v2("dtmi:com:x:A;1", contents(COMPONENT)),
                    v2("dtmi:com:x:Part;1", contents(property("p", "'string'"))));
            assertThat(models.get(0).content("c")).isEqualTo(new Content.Component("c", "dtmi:com:x:Part;1"));
            assertThat(models.get(0).references()).containsExactly("dtmi:com:x:Part;1");
        }

        @Test
        void unresolvedComponentSchemaIsRejected() {
            assertRejected(v2("dtmi:com:x:A;1", contents(COMPONENT)),
                    "dtmi:com:x:A;1: content 'c': schema 'dtmi:com:x:Part;1' is neither in the batch nor an uploaded model");
        }

        @Test
        void onlyOneLevelOfComponents() {
            assertRejected(List.of(v2("dtmi:com:x:A;1", contents(COMPONENT)),
                            v2("dtmi:com:x:Part;1", contents("{'@type':'Component','name':'d','schema':'dtmi:com:x:Leaf;1'}")),
                            v2("dtmi:com:x:Leaf;1", "")),
                    "dtmi:com:x:A;1: content 'c': interface 'dtmi:com:x:Part;1' has components itself");
        }

        @Test
        void anInlineComponentInterfaceIsPartOfItsModel() {
            InterfaceModel model = parseOne(v2("dtmi:com:x:A;1", contents("{'@type':'Component','name':'c','schema':"
                    + "{'@type':'Interface','@id':'dtmi:com:x:In;1','extends':'dtmi:com:x:Part;1',"
                    + "'contents':{'@type':'Property','name':'p','schema':'double'}}}")),
                    id -> id.equals("dtmi:com:x:Part;1") ? parseOne(v2(id, "")) : null);

            Content.Component component = (Content.Component) model.content("c");
            assertThat(component.schema()).isEqualTo("dtmi:com:x:In;1");
            assertThat(component.inline().contents()).containsOnlyKeys("p");
            assertThat(model.references()).as("the inline interface's base is what the model needs")
                    .containsExactly("dtmi:com:x:Part;1");
            InterfaceModel reloaded = parser.reload(List.of(model.definition()),
                    id -> id.equals("dtmi:com:x:Part;1") ? parseOne(v2(id, "")) : null).get(0);
            assertThat(((Content.Component) reloaded.content("c")).inline().contents()).containsOnlyKeys("p");

            assertRejected(v2("dtmi:com:x:A;1", contents("{'@type':'Component','name':'c','schema':"
                    + "{'@type':'Interface'}}")), "content 'c': schema: an inline interface needs its own @id");
            assertRejected(List.of(v2("dtmi:com:x:A;1", contents("{'@type':'Component','name':'c','schema':"
                    + "{'@type':'Interface','@id':'dtmi:com:x:In;1'}}")), v2("dtmi:com:x:B;1",
                    contents("{'@type':'Component','name':'c','schema':'dtmi:com:x:In;1'}"))),
                    "only top-level interfaces can be named");
            assertRejected(v2("dtmi:com:x:A;1", contents("{'@type':'Component','name':'c','schema':"
                    + "{'@type':'Interface','@id':'dtmi:com:x:In;1','contents':{'@type':'Component','name':'d',"
                    + "'schema':{'@type':'Interface','@id':'dtmi:com:x:In2;1'}}}}")),
                    "has components itself");
        }

        @Test
        void componentOfItselfIsACycle() {
            assertRejected(v2("dtmi:com:x:A;1", contents("{'@type':'Component','name':'c','schema':'dtmi:com:x:A;1'}")),
                    "reference cycle dtmi:com:x:A;1 -> dtmi:com:x:A;1");
        }
    }

    @Nested
    class Schemas {

        private InterfaceModel withProperty(String schema) {
            return parseOne(v3("dtmi:com:x:A;1", contents(property("p", schema))));
        }

        private Schema schemaOf(InterfaceModel model) {
            return ((Content.Property) model.content("p")).schema();
        }

        @Test
        void everyPrimitiveIsKnown() {
            for (Schema.PrimitiveKind kind : Schema.PrimitiveKind.values()) {
                assertThat(schemaOf(withProperty("'" + kind.dtdlName() + "'"))).isEqualTo(new Schema.Primitive(kind));
            }
        }

        @Test
        void enumsResolve() {
            Schema schema = schemaOf(withProperty("{'@type':'Enum','valueSchema':'integer','enumValues':["
                    + "{'name':'off','enumValue':0},{'name':'on','enumValue':1}]}"));
            assertThat(schema).isEqualTo(new Schema.EnumSchema(Schema.PrimitiveKind.INTEGER,
                    List.of(new Schema.EnumValue("off", 0), new Schema.EnumValue("on", 1))));
        }

        @Test
        void enumRules() {
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p",
                            "{'@type':'Enum','valueSchema':'double','enumValues':[]}"))),
                    "content 'p': Enum valueSchema must be 'integer' or 'string'");
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", "{'@type':'Enum','valueSchema':'string',"
                            + "'enumValues':[{'name':'a','enumValue':'x'},{'name':'a','enumValue':'y'}]}"))),
                    "content 'p': enum value 'a': the name is used by more than one enum value");
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", "{'@type':'Enum','valueSchema':'string',"
                            + "'enumValues':[{'name':'a','enumValue':'x'},{'name':'b','enumValue':'x'}]}"))),
                    "enum value 'b': enumValue \"x\" is used by more than one enum value");
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", "{'@type':'Enum','valueSchema':'integer',"
                            + "'enumValues':[{'name':'a','enumValue':'x'}]}"))),
                    "enum value 'a': enumValue \"x\" is not a valid integer");
            String values = IntStream.range(0, 101).mapToObj(i -> "{'name':'v" + i + "','enumValue':" + i + "}")
                    .collect(Collectors.joining(","));
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p",
                            "{'@type':'Enum','valueSchema':'integer','enumValues':[" + values + "]}"))),
                    "DTDL v2 allows at most 100 enum values");
        }

        @Test
        void mapsResolveAndKeysAreStrings() {
            Schema schema = schemaOf(withProperty("{'@type':'Map','mapKey':{'name':'room','schema':'string'},"
                    + "'mapValue':{'name':'temp','schema':'double'}}"));
            assertThat(schema).isEqualTo(new Schema.MapSchema("room", "temp",
                    new Schema.Primitive(Schema.PrimitiveKind.DOUBLE)));
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", "{'@type':'Map','mapKey':{'name':'k',"
                            + "'schema':'integer'},'mapValue':{'name':'v','schema':'double'}}"))),
                    "content 'p': mapKey: schema must be 'string'");
        }

        @Test
        void objectRules() {
            Schema schema = schemaOf(withProperty("{'@type':'Object','fields':[{'name':'a','schema':'string'},"
                    + "{'name':'b','schema':'long'}]}"));
            assertThat(((Schema.ObjectSchema) schema).fields().keySet()).containsExactly("a", "b");
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", "{'@type':'Object','fields':["
                            + "{'name':'a','schema':'string'},{'name':'a','schema':'long'}]}"))),
                    "content 'p': field 'a': the name is used by more than one field");
            String fields = IntStream.range(0, 31).mapToObj(i -> "{'name':'f" + i + "','schema':'string'}")
                    .collect(Collectors.joining(","));
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", "{'@type':'Object','fields':[" + fields + "]}"))),
                    "DTDL v2 allows at most 30 fields in an Object");
        }

        @Test
        void complexSchemasNestAtMostFiveLevels() {
            assertThat(withProperty(nestedObjects(5))).isNotNull();
            assertRejected(v3("dtmi:com:x:A;1", contents(property("p", nestedObjects(6)))),
                    "complex schemas may nest at most 5 levels deep");
        }

        private String nestedObjects(int levels) {
            String schema = "'string'";
            for (int i = 0; i < levels; i++) {
                schema = "{'@type':'Object','fields':[{'name':'f','schema':" + schema + "}]}";
            }
            return schema;
        }

        @Test
        void namedSchemasAreReferencedByDtmi() {
            InterfaceModel model = parseOne(v2("dtmi:com:x:A;1", "'schemas':[{'@id':'dtmi:com:x:Mode;1',"
                    + "'@type':'Enum','valueSchema':'string','enumValues':[{'name':'auto','enumValue':'auto'}]}],"
                    + contents(property("mode", "'dtmi:com:x:Mode;1'"))));
            assertThat(((Content.Property) model.content("mode")).schema()).isEqualTo(new Schema.EnumSchema(
                    Schema.PrimitiveKind.STRING, List.of(new Schema.EnumValue("auto", "auto"))));
        }

        @Test
        void aBasesNamedSchemasAreItsOwnButStoredModelsThatNameThemStillRead() {
            JsonNode derived = v2("dtmi:com:x:A;1", "'extends':'dtmi:com:x:Base;1',"
                    + contents(property("p", "'dtmi:com:x:Pt;1'")));
            JsonNode base = v2("dtmi:com:x:Base;1", "'schemas':[{'@id':'dtmi:com:x:Pt;1','@type':'Object',"
                    + "'fields':[{'name':'x','schema':'double'}]}]");
            assertRejected(List.of(derived, base), "schema 'dtmi:com:x:Pt;1' is not a primitive schema");

            InterfaceModel storedBase = parseOne(base);
            InterfaceModel reloaded = parser.reload(List.of(derived), id -> id.equals(storedBase.id()) ? storedBase
                    : null).get(0);
            assertThat(((Content.Property) reloaded.content("p")).schema()).isInstanceOf(Schema.ObjectSchema.class);
        }

        @Test
        void namedSchemasMayNotReferToThemselves() {
            assertRejected(v3("dtmi:com:x:A;1", "'schemas':[{'@id':'dtmi:com:x:Node;1','@type':'Object',"
                            + "'fields':[{'name':'next','schema':'dtmi:com:x:Node;1'}]}]"),
                    "dtmi:com:x:A;1: schemas: schema 'dtmi:com:x:Node;1': field 'next': schema 'dtmi:com:x:Node;1'"
                            + " refers to itself");
        }

        @Test
        void declaredSchemasNeedAnId() {
            assertRejected(v2("dtmi:com:x:A;1", "'schemas':[{'@type':'Object','fields':[]}]"),
                    "dtmi:com:x:A;1: schemas: each schema needs an @id");
        }

        @Test
        void unknownComplexTypeIsRejected() {
            assertRejected(v2("dtmi:com:x:A;1", contents(property("p", "{'@type':'Set','elementSchema':'string'}"))),
                    "content 'p': @type Set is not a complex schema");
        }
    }

    @Nested
    class Extends {

        @Test
        void multiLevelExtendsPutsInheritedContentsFirst() {
            List<InterfaceModel> models = parse(
                    v2("dtmi:com:x:Root;1", contents(property("root", "'string'"))),
                    v2("dtmi:com:x:Mid;1", "'extends':'dtmi:com:x:Root;1'," + contents(property("mid", "'string'"))),
                    v2("dtmi:com:x:Leaf;1", "'extends':['dtmi:com:x:Mid;1']," + contents(property("leaf", "'string'"))));
            InterfaceModel leaf = models.get(2);
            assertThat(leaf.contents().keySet()).containsExactly("root", "mid", "leaf");
            assertThat(leaf.ancestors()).containsExactlyInAnyOrder("dtmi:com:x:Mid;1", "dtmi:com:x:Root;1");
            assertThat(leaf.extendsIds()).containsExactly("dtmi:com:x:Mid;1");
            assertThat(leaf.references()).containsExactly("dtmi:com:x:Mid;1");
            assertThat(leaf.isA("dtmi:com:x:Root;1")).isTrue();
        }

        @Test
        void multipleParentsInDeclarationOrderAndDiamondsShareTheirBase() {
            List<InterfaceModel> models = parse(
                    v2("dtmi:com:x:Top;1", contents(property("top", "'string'"))),
                    v2("dtmi:com:x:L;1", "'extends':'dtmi:com:x:Top;1'," + contents(property("l", "'string'"))),
                    v2("dtmi:com:x:R;1", "'extends':'dtmi:com:x:Top;1'," + contents(property("r", "'string'"))),
                    v2("dtmi:com:x:D;1", "'extends':['dtmi:com:x:R;1','dtmi:com:x:L;1']," + contents(property("d", "'string'"))));
            assertThat(models.get(3).contents().keySet()).containsExactly("top", "r", "l", "d");
            assertThat(models.get(3).ancestors()).hasSize(3);
        }

        @Test
        void cyclesAreRejected() {
            assertRejected(List.of(v2("dtmi:com:x:A;1", "'extends':'dtmi:com:x:B;1'"),
                            v2("dtmi:com:x:B;1", "'extends':'dtmi:com:x:C;1'"),
                            v2("dtmi:com:x:C;1", "'extends':'dtmi:com:x:A;1'")),
                    "reference cycle dtmi:com:x:A;1 -> dtmi:com:x:B;1 -> dtmi:com:x:C;1 -> dtmi:com:x:A;1");
            assertRejected(v2("dtmi:com:x:A;1", "'extends':'dtmi:com:x:A;1'"), "reference cycle");
        }

        @Test
        void depthIsAtMostTen() {
            assertThat(parser.parse(chain(11), id -> null)).hasSize(11);
            assertRejected(chain(12), "dtmi:com:x:I11;1: extends: the extends hierarchy is 11 levels deep, more than 10");
        }

        /** I0 <- I1 <- ... ; n interfaces give n-1 levels of extends. */
        private List<JsonNode> chain(int n) {
            List<JsonNode> models = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                models.add(v2("dtmi:com:x:I" + i + ";1", i == 0 ? "" : "'extends':'dtmi:com:x:I" + (i - 1) + ";1'"));
            }
            return models;
        }

        @Test
        void v2ExtendsAtMostTwo() {
            assertRejected(List.of(v2("dtmi:com:x:A;1", "'extends':['dtmi:com:x:B;1','dtmi:com:x:C;1','dtmi:com:x:D;1']")),
                    "dtmi:com:x:A;1: extends: DTDL v2 allows at most 2 interfaces in extends");
        }

        @Test
        void v3MayExtendV2ButNotTheReverse() {
            assertThat(parse(v2("dtmi:com:x:Old;1", ""), v3("dtmi:com:x:New;1", "'extends':'dtmi:com:x:Old;1'")))
                    .hasSize(2);
            assertRejected(List.of(v3("dtmi:com:x:New;1", ""), v2("dtmi:com:x:Old;1", "'extends':'dtmi:com:x:New;1'")),
                    "dtmi:com:x:Old;1: extends: a DTDL v2 interface may not extend DTDL v3 interface 'dtmi:com:x:New;1'");
        }

        @Test
        void v2CountsInheritedContentsTowardsThe300Limit() {
            String base = IntStream.range(0, 200).mapToObj(i -> property("b" + i, "'string'")).collect(Collectors.joining(","));
            String own = IntStream.range(0, 101).mapToObj(i -> property("o" + i, "'string'")).collect(Collectors.joining(","));
            assertRejected(List.of(v2("dtmi:com:x:Base;1", "'contents':[" + base + "]"),
                            v2("dtmi:com:x:A;1", "'extends':'dtmi:com:x:Base;1','contents':[" + own + "]")),
                    "dtmi:com:x:A;1: contents: DTDL v2 allows at most 300 contents including inherited ones, found 301");
        }

        @Test
        void v3ExtendsTreeHasAtMost1024Values() {
            List<JsonNode> batch = new ArrayList<>();
            List<String> bases = new ArrayList<>();
            for (int i = 0; i < 1025; i++) {
                bases.add("'dtmi:com:x:B" + i + ";1'");
                batch.add(v3("dtmi:com:x:B" + i + ";1", ""));
            }
            batch.add(v3("dtmi:com:x:A;1", "'extends':[" + String.join(",", bases) + "]"));
            assertRejected(batch, "dtmi:com:x:A;1: extends: the extends tree has 1025 values, more than 1024");
            batch.remove(batch.size() - 1);
            batch.add(v3("dtmi:com:x:A;1", "'extends':[" + String.join(",", bases.subList(1, 1025)) + "]"));
            assertThat(parser.parse(batch, id -> null)).hasSize(1026);

            // a diamond counts the shared bases' values once per interface that lists them
            List<JsonNode> diamond = new ArrayList<>(batch.subList(0, 600));
            String six = String.join(",", bases.subList(0, 600));
            diamond.add(v3("dtmi:com:x:M1;1", "'extends':[" + six + "]"));
            diamond.add(v3("dtmi:com:x:M2;1", "'extends':[" + six + "]"));
            diamond.add(v3("dtmi:com:x:A;1", "'extends':['dtmi:com:x:M1;1','dtmi:com:x:M2;1']"));
            assertRejected(diamond, "dtmi:com:x:A;1: extends: the extends tree has 1202 values, more than 1024");
        }

        @Test
        void v3CountsInheritedElementsTowardsThe100000Limit() {
            List<JsonNode> batch = new ArrayList<>();
            for (int b = 0; b < 4; b++) {
                String values = IntStream.range(0, 25_000).mapToObj(i -> "{'name':'v" + i + "','enumValue':" + i + "}")
                        .collect(Collectors.joining(","));
                batch.add(v3("dtmi:com:x:B" + b + ";1", contents(property("p" + b,
                        "{'@type':'Enum','valueSchema':'integer','enumValues':[" + values + "]}"))));
            }
            batch.add(v3("dtmi:com:x:A;1", "'extends':['dtmi:com:x:B0;1','dtmi:com:x:B1;1','dtmi:com:x:B2;1',"
                    + "'dtmi:com:x:B3;1']"));
            assertRejected(batch, "dtmi:com:x:A;1: interface: DTDL v3 allows at most 100000 elements including"
                    + " inherited ones, found 100013");
        }
    }

    @Nested
    class Batches {

        @Test
        void crossReferencesResolveInReverseOrder() {
            List<InterfaceModel> models = parse(
                    v2("dtmi:com:x:Room;1", "'extends':'dtmi:com:x:Space;1',"
                            + contents("{'@type':'Component','name':'sensor','schema':'dtmi:com:x:Sensor;1'}")),
                    v2("dtmi:com:x:Space;1", contents(property("name", "'string'"))),
                    v2("dtmi:com:x:Sensor;1", contents(property("reading", "'double'"))));
            assertThat(models).extracting(InterfaceModel::id)
                    .containsExactly("dtmi:com:x:Room;1", "dtmi:com:x:Space;1", "dtmi:com:x:Sensor;1");
            assertThat(models.get(0).references()).containsExactly("dtmi:com:x:Space;1", "dtmi:com:x:Sensor;1");
            assertThat(models.get(0).contents().keySet()).containsExactly("name", "sensor");
        }

        @Test
        void storedModelsResolveThroughTheLookup() throws IOException {
            InterfaceModel space = parseOne(resource("space.json"));
            Function<String, InterfaceModel> stored = Map.of(space.id(), space)::get;
            List<InterfaceModel> models = parser.parse(List.of(v2("dtmi:com:x:Room;1",
                    "'extends':'dtmi:contosocom:DigitalTwins:Space;1'," + contents(property("Occupancy", "'integer'")))),
                    stored);
            assertThat(models.get(0).contents().keySet()).startsWith("DisplayName").endsWith("Occupancy");
            assertThat(models.get(0).ancestors()).containsExactly(space.id());
        }

        @Test
        void duplicateIdsInOneBatchAreRejected() {
            assertRejected(List.of(v2("dtmi:com:x:A;1", ""), v2("dtmi:com:x:A;1", "")),
                    "dtmi:com:x:A;1: @id appears more than once in the batch");
            assertRejected(List.of(v2("dtmi:com:x:A;1", contents(
                            "{'@type':'Property','@id':'dtmi:com:x:A;1','name':'p','schema':'string'}"))),
                    "contents[0].@id: 'dtmi:com:x:A;1' is used by more than one element in the batch");
        }

        @Test
        void resultIsInBatchOrder() {
            List<String> ids = Arrays.asList("dtmi:com:x:C;1", "dtmi:com:x:A;1", "dtmi:com:x:B;1");
            List<InterfaceModel> models = parser.parse(ids.stream().map(id -> v2(id, "")).toList(), id -> null);
            assertThat(models).extracting(InterfaceModel::id).containsExactlyElementsOf(ids);
        }
    }
}
