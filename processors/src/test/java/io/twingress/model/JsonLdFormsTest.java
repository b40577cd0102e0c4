package io.twingress.model;

import static io.twingress.model.DtdlParserTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The forms JSON-LD gives a DTDL value, each in DTDL v2 and v3 (every test takes the version as its parameter):
 * what the parser accepts, what the parsed model then exposes, and what stays refused.
 */
class JsonLdFormsTest {

    private final DtdlParser parser = new DtdlParser();

    /** An Interface of the given DTDL version; ids carry ";1" so one text is valid in both versions. */
    private static JsonNode iface(int version, String id, String body) {
        return json("{'@context':'dtmi:dtdl:context;" + version + "','@id':'" + id + "','@type':'Interface'"
                + (body.isEmpty() ? "" : "," + body) + "}");
    }

    private List<InterfaceModel> parse(JsonNode... models) {
        return parser.parse(List.of(models), id -> null);
    }

    private InterfaceModel parseOne(JsonNode model) {
        return parse(model).get(0);
    }

    private String rejection(JsonNode... models) {
        DtdlException e = catchThrowableOfType(DtdlException.class, () -> parse(models));
        assertThat(e).as("refused").isNotNull();
        return e.getMessage();
    }

    @Nested
    class SingleValuedSets {

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void contentsExtendsSchemasAndEnumValuesTakeOneValueWithoutAnArray(int v) {
            JsonNode base = iface(v, "dtmi:x:Base;1", "'contents':{'@type':'Property','name':'label','schema':'string'}");
            JsonNode room = iface(v, "dtmi:x:Room;1", "'extends':'dtmi:x:Base;1',"
                    + "'schemas':{'@id':'dtmi:x:Mode;1','@type':'Enum','valueSchema':'string',"
                    + "'enumValues':{'name':'auto','enumValue':'auto'}},"
                    + "'contents':{'@type':'Property','name':'mode','schema':'dtmi:x:Mode;1'}");

            InterfaceModel model = parse(room, base).get(0);

            assertThat(model.isA("dtmi:x:Base;1")).isTrue();
            assertThat(model.contents()).containsOnlyKeys("label", "mode");
            assertThat(((Content.Property) model.content("mode")).schema())
                    .isEqualTo(new Schema.EnumSchema(Schema.PrimitiveKind.STRING,
                            List.of(new Schema.EnumValue("auto", "auto"))));
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void fieldsRelationshipPropertiesTypeContextAndSchemaTakeOneValue(int v) {
            JsonNode model = json("{'@context':['dtmi:dtdl:context;" + v + "'],'@id':'dtmi:x:A;1',"
                    + "'@type':['Interface'],"
                    + "'contents':[{'@type':'Property','name':'pos','schema':[{'@type':['Object'],"
                    + "'fields':{'name':'x','schema':'double'}}]},"
                    + "{'@type':'Relationship','name':'feeds','properties':"
                    + "{'@type':'Property','name':'since','schema':'dateTime'}}]}");

            InterfaceModel parsed = parseOne(model);

            assertThat(((Content.Property) parsed.content("pos")).schema()).isEqualTo(
                    new Schema.ObjectSchema(Map.of("x", new Schema.Primitive(Schema.PrimitiveKind.DOUBLE))));
            assertThat(((Content.Relationship) parsed.content("feeds")).properties()).containsOnlyKeys("since");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void anInvalidSingleElementIsRefusedWithTheArrayFormsMessage(int v) {
            String element = "{'@type':'Property','name':'p','schema':'notASchema'}";
            String single = rejection(iface(v, "dtmi:x:A;1", "'contents':" + element));

            assertThat(single).isEqualTo(rejection(iface(v, "dtmi:x:A;1", "'contents':[" + element + "]")))
                    .contains("content 'p'", "notASchema");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'extends':'notADtmi'")))
                    .isEqualTo(rejection(iface(v, "dtmi:x:A;1", "'extends':['notADtmi']")));
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':'p'"))).contains("contents: must be an object");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Property','name':'p','schema':"
                    + "['string','double']}"))).contains("content 'p'", "schema must be a string or");
        }
    }

    @Nested
    class InlineBaseInterface {

        private static final String INLINE = "{'@id':'dtmi:x:Space;1','@type':'Interface','displayName':'Space',"
                + "'contents':{'@type':'Property','name':'label','schema':'string'}}";

        private JsonNode derived(int v, String base) {
            return iface(v, "dtmi:x:Room;1", "'extends':" + base + ","
                    + "'contents':[{'@type':'Property','name':'area','schema':'double'}]");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void anInlineBaseIsInheritedFromLikeANamedOne(int v) {
            InterfaceModel room = parseOne(derived(v, INLINE));

            assertThat(room.isA("dtmi:x:Space;1")).isTrue();
            assertThat(room.extendsIds()).containsExactly("dtmi:x:Space;1");
            assertThat(room.contents()).containsOnlyKeys("label", "area");
            assertThat(room.references()).as("an inline base is part of the model, not a dependency").isEmpty();
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void aStoredModelWithAnInlineBaseReloadsAndCanBeExtended(int v) {
            InterfaceModel room = parseOne(derived(v, "[" + INLINE + "]"));
            JsonNode office = iface(v, "dtmi:x:Office;1", "'extends':'dtmi:x:Room;1'");

            InterfaceModel reloaded = parser.reload(List.of(room.definition()), id -> null).get(0);
            InterfaceModel parsedOffice = parser.parse(List.of(office), id -> id.equals(room.id()) ? reloaded : null)
                    .get(0);

            assertThat(reloaded.contents()).containsOnlyKeys("label", "area");
            assertThat(parsedOffice.ancestors()).containsExactlyInAnyOrder("dtmi:x:Room;1", "dtmi:x:Space;1");
            assertThat(parsedOffice.contents()).containsOnlyKeys("label", "area");
            assertThat(parsedOffice.references()).containsExactly("dtmi:x:Room;1");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void anInlineBaseIsValidatedLikeANamedOne(int v) {
            assertThat(rejection(derived(v, "{'@type':'Interface','contents':[]}")))
                    .contains("dtmi:x:Room;1: extends: an inline interface needs its own @id");
            assertThat(rejection(derived(v, "{'@id':'dtmi:x:Space;1','@type':'Interface',"
                    + "'contents':{'@type':'Property','name':'size','schema':'notASchema'}}")))
                    .contains("dtmi:x:Space;1: content 'size'", "notASchema");
            assertThat(rejection(derived(v, "{'@id':'dtmi:x:Space;1','@type':'Interface',"
                    + "'contents':{'@type':'Property','name':'area','schema':'double'}}")))
                    .contains("redeclares content 'area' inherited from 'dtmi:x:Space;1'");
            assertThat(rejection(derived(v, "{'@id':'dtmi:x:Space;1','@type':'Object','fields':[]}")))
                    .contains("inline element 'dtmi:x:Space;1' must have @type 'Interface'");
            assertThat(rejection(derived(v, "{'@id':'dtmi:x:Space;1','@type':'Interface','color':'red'}")))
                    .contains("dtmi:x:Space;1: interface: unknown key 'color'");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void anInlineInterfaceCannotBeNamedByAnotherModel(int v) {
            JsonNode other = iface(v, "dtmi:x:Other;1", "'extends':'dtmi:x:Space;1'");

            assertThat(rejection(derived(v, INLINE), other))
                    .contains("dtmi:x:Other;1: extends: 'dtmi:x:Space;1' is an interface written inline");
            assertThat(rejection(derived(v, INLINE), iface(v, "dtmi:x:Space;1", "")))
                    .contains("dtmi:x:Space;1", "more than once");
        }
    }

    @Nested
    class InlineSchemas {

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void complexSchemasNestInlineAndAnIdMakesThemNameable(int v) {
            JsonNode model = iface(v, "dtmi:x:A;1", "'contents':["
                    + "{'@type':'Property','name':'config','schema':{'@id':'dtmi:x:Config;1','@type':'Object',"
                    + "'fields':[{'name':'limits','schema':{'@type':'Map','mapKey':{'name':'k','schema':'string'},"
                    + "'mapValue':{'name':'v','schema':{'@type':'Enum','valueSchema':'integer',"
                    + "'enumValues':[{'name':'low','enumValue':1}]}}}}]}},"
                    + "{'@type':'Property','name':'previous','schema':'dtmi:x:Config;1'},"
                    + "{'@type':'Telemetry','name':'samples','schema':{'@type':'Array',"
                    + "'elementSchema':{'@type':'Object','fields':{'name':'t','schema':'double'}}}}]");

            InterfaceModel parsed = parseOne(model);

            Schema config = ((Content.Property) parsed.content("config")).schema();
            assertThat(((Schema.ObjectSchema) config).fields().get("limits")).isInstanceOf(Schema.MapSchema.class);
            assertThat(((Content.Property) parsed.content("previous")).schema()).isEqualTo(config);
            assertThat(((Content.Telemetry) parsed.content("samples")).schema()).isEqualTo(new Schema.ArraySchema(
                    new Schema.ObjectSchema(Map.of("t", new Schema.Primitive(Schema.PrimitiveKind.DOUBLE)))));
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void anInlineSchemaWithAnIdIsValidatedAsWhenNamed(int v) {
            String bad = "{'@id':'dtmi:x:Bad;1','@type':'Enum','valueSchema':'double','enumValues':[]}";

            assertThat(rejection(iface(v, "dtmi:x:A;1",
                    "'contents':{'@type':'Property','name':'p','schema':" + bad + "}")))
                    .contains("content 'p'", "Enum valueSchema must be 'integer' or 'string'");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'schemas':" + bad)))
                    .contains("schema 'dtmi:x:Bad;1'", "Enum valueSchema must be 'integer' or 'string'");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'schemas':{'@type':'Object','fields':[]}")))
                    .contains("each schema needs an @id");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void anIdIsNameableOnlyInsideItsInterface(int v) {
            JsonNode a = iface(v, "dtmi:x:A;1", "'schemas':{'@id':'dtmi:x:S;1','@type':'Object','fields':[]}");
            JsonNode b = iface(v, "dtmi:x:B;1", "'contents':{'@type':'Property','name':'p','schema':'dtmi:x:S;1'}");

            assertThat(rejection(a, b)).contains("dtmi:x:B;1: content 'p'", "known schema DTMI");
        }
    }

    @Nested
    class LocalizableStrings {

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void displayNameTakesAStringALanguageMapOrAnArrayOfTaggedValues(int v) {
            for (String form : List.of("'Room'", "{'en':'Room','de':'Raum'}", "['Room']",
                    "[{'@value':'Room','@language':'en'},{'@value':'Raum','@language':'de'}]",
                    "['Room',{'@value':'Raum','@language':'de'}]", "[{'@value':'Room'}]")) {
                InterfaceModel model = parseOne(iface(v, "dtmi:x:A;1", "'displayName':" + form
                        + ",'description':" + form + ",'contents':{'@type':'Property','name':'p','schema':'string',"
                        + "'displayName':" + form + "}"));
                assertThat(DtdlParser.languageMap(model.definition().get("displayName"))).as(form)
                        .containsEntry("en", "Room");
            }
            assertThat(DtdlParser.languageMap(json("['Room',{'@value':'Raum','@language':'de'}]")))
                    .containsExactly(Map.entry("en", "Room"), Map.entry("de", "Raum"));
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void malformedLocalizableStringsAreRefused(int v) {
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'displayName':{'@value':'Room','@language':'en'}")))
                    .as("a value object outside an array is a language map with bad keys")
                    .contains("displayName language '@value' is not a BCP 47 language tag");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'displayName':[{'en':'Room'}]")))
                    .contains("displayName must be a string or a map");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'displayName':['Room',{'@value':'Room','@language':'en'}]")))
                    .contains("more than one default text");
            assertThat(rejection(iface(v, "dtmi:x:A;1",
                    "'displayName':[{'@value':'Raum','@language':'de'},{'@value':'Zimmer','@language':'DE'}]")))
                    .contains("gives language 'DE' more than once");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'displayName':[{'@value':'Raum','@language':'german'}]")))
                    .contains("is not a BCP 47 language tag");
            int max = v == 2 ? 64 : 512;
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'displayName':[{'@value':'" + "x".repeat(max + 1)
                    + "','@language':'de'}]"))).contains("displayName is longer than " + max + " characters");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void commentIsOneRepresentationalString(int v) {
            for (String form : List.of("'note'", "['note']", "{'@value':'note'}",
                    "[{'@value':'note','@type':'xsd:string'}]", "[]")) {
                assertThat(parseOne(iface(v, "dtmi:x:A;1", "'comment':" + form)).definition().get("comment"))
                        .as(form).isNotNull();
            }
            for (String form : List.of("['a','b']", "{'en':'note'}", "{'@value':5}", "[['note']]",
                    "'" + "c".repeat(513) + "'")) {
                assertThat(rejection(iface(v, "dtmi:x:A;1", "'comment':" + form))).as(form)
                        .contains("comment must be a string of at most 512 characters");
            }
        }
    }

    @Nested
    class Commands {

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void aCommandIsKeptWithItsRequestAndResponse(int v) {
            String requestType = v == 2 ? "CommandPayload" : "CommandRequest";
            String responseType = v == 2 ? "CommandPayload" : "CommandResponse";
            InterfaceModel model = parseOne(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Command','name':'reboot',"
                    + "'request':{'@type':'" + requestType + "','name':'delay','schema':'duration'},"
                    + "'response':[{'@type':'" + responseType + "','name':'result','schema':"
                    + "{'@type':'Object','fields':{'name':'ok','schema':'boolean'}}}]}"));

            Content.Command command = (Content.Command) model.content("reboot");
            assertThat(command.request()).isEqualTo(new Content.Command.Payload("delay",
                    new Schema.Primitive(Schema.PrimitiveKind.DURATION)));
            assertThat(command.response().name()).isEqualTo("result");
            assertThat(command.response().schema()).isInstanceOf(Schema.ObjectSchema.class);
            assertThat(command.commandType()).isNull();
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void commandPayloadsAreValidated(int v) {
            String where = "dtmi:x:A;1: content 'reboot'";
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Command','name':'reboot',"
                    + "'request':{'name':'delay'}}"))).contains(where + ": request: schema is required");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Command','name':'reboot',"
                    + "'request':{'name':'1x','schema':'string'}}"))).contains("request", "name '1x' must start");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Command','name':'reboot',"
                    + "'request':[{'name':'a','schema':'string'},{'name':'b','schema':'string'}]}")))
                    .contains(where + ": request must be one");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Command','name':'reboot',"
                    + "'response':{'@type':'Property','name':'r','schema':'string'}}")))
                    .contains(where + ": response: @type must be");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Command','name':'reboot',"
                    + "'request':{'name':'d','schema':'string','writable':true}}")))
                    .contains(where + ": request: unknown key 'writable'");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void commandTypeIsDeprecatedButValid(int v) {
            JsonNode model = iface(v, "dtmi:x:A;1",
                    "'contents':{'@type':'Command','name':'reboot','commandType':'synchronous'}");
            assertThat(((Content.Command) parseOne(model).content("reboot")).commandType()).isEqualTo("synchronous");
            assertThat(((Content.Command) parseOne(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Command',"
                    + "'name':'reboot','commandType':['dtmi:dtdl:instance:CommandType:asynchronous;" + v + "']}"))
                    .content("reboot")).commandType()).isEqualTo("asynchronous");
            assertThat(rejection(iface(v, "dtmi:x:A;1",
                    "'contents':{'@type':'Command','name':'reboot','commandType':'later'}")))
                    .contains("commandType must be 'synchronous' or 'asynchronous'");
        }
    }

    @Nested
    class OneValueMembers {

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void aMemberOfOneValueMayBeAnArrayOfOneOrAValueObject(int v) {
            JsonNode model = iface(v, "dtmi:x:A;1", "'contents':["
                    + "{'@type':'Property','name':['label'],'writable':[true],'schema':['string']},"
                    + "{'@type':'Property','name':{'@value':'mode'},'writable':{'@value':false,'@type':'xsd:boolean'},"
                    + "'schema':{'@type':'Enum','valueSchema':['string'],'enumValues':{'name':'a','enumValue':['a']}}},"
                    + "{'@type':'Property','name':'tags','schema':{'@type':'Map','mapKey':[{'name':'k','schema':'string'}],"
                    + "'mapValue':[{'name':'v','schema':'string'}]}},"
                    + "{'@type':'Relationship','name':'feeds','target':['dtmi:x:B;1'],'maxMultiplicity':[5],"
                    + "'minMultiplicity':{'@value':0}}]");

            InterfaceModel parsed = parseOne(model);

            assertThat(parsed.contents()).containsOnlyKeys("label", "mode", "tags", "feeds");
            assertThat(((Content.Property) parsed.content("label")).writable()).isTrue();
            assertThat(((Content.Relationship) parsed.content("feeds")).target()).isEqualTo("dtmi:x:B;1");
            assertThat(parsed.definition()).as("stored and served as written").isEqualTo(model);
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void moreThanOneValueOrAMistypedValueObjectStaysRefused(int v) {
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Property','name':['a','b'],"
                    + "'schema':'string'}"))).contains("name is required and must be a string");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Property','name':{'@value':'a',"
                    + "'@type':'xsd:integer'},'schema':'string'}"))).contains("name is required and must be a string");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Property','name':'a',"
                    + "'writable':{'@value':'yes'},'schema':'string'}"))).contains("writable must be true or false");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void termsMayBeWrittenAsTheirDtmis(int v) {
            JsonNode model = json("{'@context':'dtmi:dtdl:context;" + v + "','@id':'dtmi:x:A;1',"
                    + "'@type':'dtmi:dtdl:class:Interface;" + v + "','dtmi:dtdl:property:contents;" + v + "':"
                    + "{'@type':['dtmi:dtdl:class:Telemetry;" + v + "'],'name':'t',"
                    + "'dtmi:dtdl:property:schema;" + v + "':'dtmi:dtdl:instance:Schema:double;" + v + "'}}");

            assertThat(((Content.Telemetry) parseOne(model).content("t")).schema())
                    .isEqualTo(new Schema.Primitive(Schema.PrimitiveKind.DOUBLE));
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Telemetry','name':'t',"
                    + "'schema':'double','dtmi:dtdl:property:schema;" + v + "':'double'}")))
                    .as("both spellings of one member").contains("unknown key 'dtmi:dtdl:property:schema;" + v + "'");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void aNestedElementMayRepeatItsDocumentsContext(int v) {
            assertThat(parseOne(iface(v, "dtmi:x:A;1", "'contents':{'@context':'dtmi:dtdl:context;" + v + "',"
                    + "'@type':'Property','name':'p','schema':'string'}")).contents()).containsOnlyKeys("p");
            int other = v == 2 ? 3 : 2;
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@context':'dtmi:dtdl:context;" + other + "',"
                    + "'@type':'Property','name':'p','schema':'string'}"))).contains("unknown key '@context'");
        }
    }

    @Nested
    class StandardSchemas {

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void geospatialSchemasAreStandardSchemasWithGeoJsonValues(int v) {
            InterfaceModel model = parseOne(iface(v, "dtmi:x:A;1", "'contents':["
                    + "{'@type':'Telemetry','name':'at','schema':'point'},"
                    + "{'@type':'Property','name':'area','schema':'dtmi:standard:schema:geospatial:polygon;" + v + "'},"
                    + "{'@type':'Property','name':'route','schema':{'@type':'Object','fields':"
                    + "{'name':'path','schema':'lineString'}}}]"));

            Schema point = ((Content.Telemetry) model.content("at")).schema();
            Schema polygon = ((Content.Property) model.content("area")).schema();
            assertThat(SchemaValidator.validate(point, json("{'type':'Point','coordinates':[47.6,-122.1]}"))).isNull();
            assertThat(SchemaValidator.validate(polygon, json("{'type':'Polygon','coordinates':"
                    + "[[[0,0],[1,0],[1,1],[0,0]]]}"))).isNull();
            assertThat(SchemaValidator.validate(point, json("{'type':'Polygon','coordinates':[1,2]}")))
                    .contains("its type must be \"Point\"");
            assertThat(SchemaValidator.validate(point, json("{'type':'Point','coordinates':[1]}")))
                    .contains("a position is an array of 2 or 3 numbers");
            assertThat(SchemaValidator.validate(point, json("{'type':'Point','coordinates':[1,2],'crs':'x'}")))
                    .contains("'crs' is not a member of a Point");
            assertThat(SchemaValidator.validate(polygon, json("{'type':'Polygon','coordinates':"
                    + "[[[0,0],[1,0],[1,1],[0,1]]]}"))).contains("a linear ring ends where it starts");
            assertThat(SchemaValidator.validate(point, json("[1,2]"))).startsWith("expected a point");
            int other = v == 2 ? 3 : 2;
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Telemetry','name':'at',"
                    + "'schema':'dtmi:standard:schema:geospatial:point;" + other + "'}"))).contains("is not a primitive");
        }
    }

    @Nested
    class OpenWorldOfDtdlV2 {

        @org.junit.jupiter.api.Test
        void anUndefinedCoTypeMayBringUndefinedMembersInV2Only() {
            String property = "'contents':{'@type':['Property','Commercial'],'name':'setPoint','schema':'double',"
                    + "'brand':'Contoso'}";
            assertThat(parseOne(iface(2, "dtmi:x:A;1", property)).contents()).containsOnlyKeys("setPoint");
            assertThat(parseOne(json("{'@context':'dtmi:dtdl:context;2','@id':'dtmi:x:B;1',"
                    + "'@type':['Interface','Commercial'],'brand':'Contoso'}")).id()).isEqualTo("dtmi:x:B;1");

            assertThat(rejection(iface(3, "dtmi:x:A;1", property))).contains("needs the extension context");
            assertThat(rejection(iface(2, "dtmi:x:A;1", "'contents':{'@type':'Property','name':'p','schema':'double',"
                    + "'brand':'Contoso'}"))).as("no co-type, no undefined member").contains("unknown key 'brand'");
            assertThat(rejection(iface(2, "dtmi:x:A;1", "'contents':{'@type':['Property','Commercial'],'name':'p',"
                    + "'schema':'double','@brand':'x'}"))).contains("unknown key '@brand'");
            assertThat(rejection(iface(2, "dtmi:x:A;1", "'contents':{'@type':['Property','dtmi:x:Commercial;1'],"
                    + "'name':'p','schema':'double'}"))).contains("is not a DTDL v2 semantic type");
        }
    }

    @Nested
    class Limits {

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void namesHave64CharactersInV2And512InV3(int v) {
            int max = v == 2 ? 64 : 512;
            assertThat(parseOne(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Property','name':'" + "n".repeat(max)
                    + "','schema':'string'}")).contents()).hasSize(1);
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'contents':{'@type':'Property','name':'"
                    + "n".repeat(max + 1) + "','schema':'string'}"))).contains("is longer than " + max + " characters");
        }

        @ParameterizedTest
        @ValueSource(ints = {2, 3})
        void reservedPrefixesAreNoElementsId(int v) {
            assertThat(rejection(iface(v, "dtmi:dtdl:foo;1", ""))).contains("a prefix DTDL reserves");
            assertThat(rejection(iface(v, "dtmi:standard:foo;1", ""))).contains("a prefix DTDL reserves");
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'schemas':{'@id':'dtmi:standard:x;1','@type':'Enum',"
                    + "'valueSchema':'string','enumValues':{'name':'a','enumValue':'a'}}")))
                    .contains("a prefix DTDL reserves");
        }

        @org.junit.jupiter.api.Test
        void aV2InterfaceMayNotHaveAV3ComponentSchema() {
            JsonNode part = iface(3, "dtmi:x:Part;1", "");
            assertThat(rejection(iface(2, "dtmi:x:A;1", "'contents':{'@type':'Component','name':'c',"
                    + "'schema':'dtmi:x:Part;1'}"), part)).contains("may not use DTDL v3 interface 'dtmi:x:Part;1'");
            assertThat(parse(iface(3, "dtmi:x:A;1", "'contents':{'@type':'Component','name':'c',"
                    + "'schema':'dtmi:x:Part;1'}"), iface(2, "dtmi:x:Part;1", ""))).hasSize(2);
        }
    }

    @Nested
    class SemanticTypesOnParts {

        private JsonNode quantitative(String body) {
            return json("{'@context':['dtmi:dtdl:context;3','dtmi:dtdl:extension:quantitativeTypes;1'],"
                    + "'@id':'dtmi:x:A;1','@type':'Interface'," + body + "}");
        }

        @org.junit.jupiter.api.Test
        void fieldsMapValuesAndCommandPayloadsTakeSemanticTypesInV3() {
            InterfaceModel model = parseOne(quantitative("'contents':["
                    + "{'@type':'Property','name':'o','schema':{'@type':'Object','fields':{'@type':['Field','Temperature'],"
                    + "'name':'t','schema':'double','unit':'kelvin'}}},"
                    + "{'@type':'Property','name':'m','schema':{'@type':'Map','mapKey':{'name':'k','schema':'string'},"
                    + "'mapValue':{'@type':['MapValue','Temperature'],'name':'v','schema':'double','unit':'kelvin'}}},"
                    + "{'@type':'Command','name':'c','request':{'@type':['CommandRequest','Temperature'],'name':'r',"
                    + "'schema':'double','unit':'degreeCelsius'}}]"));
            assertThat(model.contents()).containsOnlyKeys("o", "m", "c");

            assertThat(rejection(quantitative("'contents':{'@type':'Property','name':'o','schema':{'@type':'Object',"
                    + "'fields':{'@type':['Field','Temperature'],'name':'t','schema':'double'}}}")))
                    .contains("a semantic type needs a 'unit'");
            assertThat(rejection(quantitative("'contents':{'@type':'Property','name':'o','schema':{'@type':'Object',"
                    + "'fields':{'@type':['Field','Temperature'],'name':'t','schema':'string','unit':'kelvin'}}}")))
                    .contains("a semantic type needs a numeric schema");
            assertThat(rejection(quantitative("'contents':{'@type':'Property','name':'o','schema':{'@type':'Object',"
                    + "'fields':{'@type':'Banana','name':'t','schema':'double'}}}")))
                    .contains("@type must be 'Field' or include it");
            assertThat(rejection(iface(2, "dtmi:x:A;1", "'contents':{'@type':'Property','name':'o','schema':"
                    + "{'@type':'Object','fields':{'@type':['Field','Temperature'],'name':'t','schema':'double',"
                    + "'unit':'kelvin'}}}"))).contains("semantic types apply only to Properties and Telemetry");
        }
    }
}
