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
            assertThat(rejection(iface(v, "dtmi:x:A;1", "'displayName':[{'@value':'" + "x".repeat(65)
                    + "','@language':'de'}]"))).contains("displayName is longer than 64 characters");
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
        void commandTypeIsDtdlV2Only(int v) {
            JsonNode model = iface(v, "dtmi:x:A;1",
                    "'contents':{'@type':'Command','name':'reboot','commandType':'synchronous'}");
            if (v == 2) {
                assertThat(((Content.Command) parseOne(model).content("reboot")).commandType())
                        .isEqualTo("synchronous");
                assertThat(rejection(iface(v, "dtmi:x:A;1",
                        "'contents':{'@type':'Command','name':'reboot','commandType':'later'}")))
                        .contains("commandType must be 'synchronous' or 'asynchronous'");
            } else {
                assertThat(rejection(model)).contains("content 'reboot': unknown key 'commandType'");
            }
        }
    }
}
