package io.twingress.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import io.twingress.Json;
import io.twingress.AdtException;

/**
 * Models and assertions shared by the service tests. The small graph covers what the twin rules branch on:
 * inheritance (Room extends Base), a component (Room.comp1 is a Sensor), a targeted relationship with
 * properties (Room.feeds → Base), and every schema kind a property can have.
 */
public final class TestModels {

    public static final String BASE = "dtmi:test:Base;1";
    public static final String ROOM = "dtmi:test:Room;1";
    public static final String ROOM_V2 = "dtmi:test:Room;2";
    public static final String SENSOR = "dtmi:test:Sensor;1";
    public static final String SPECIAL = "dtmi:test:Special;1";
    public static final String OTHER = "dtmi:test:Other;1";
    public static final String SPACE = "dtmi:contosocom:DigitalTwins:Space;1";
    public static final String THERMOSTAT = "dtmi:contosocom:DigitalTwins:Thermostat;1";

    /**
     * The service's own mapper (so numbers parse as the store reads them back) plus single quotes, which keep
     * inline JSON readable.
     */
    private static final ObjectMapper LENIENT = Json.MAPPER.copy()
            .configure(JsonReadFeature.ALLOW_SINGLE_QUOTES.mappedFeature(), true);

    private TestModels() {
    }

    public static JsonNode json(String text) {
        try {
            return LENIENT.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    public static JsonNode resource(String name) {
        try (InputStream in = TestModels.class.getResourceAsStream("/models/" + name)) {
            return LENIENT.readTree(in);
        } catch (IOException e) {
            throw new IllegalStateException(name, e);
        }
    }

    public static JsonNode base() {
        return json("{'@context':'dtmi:dtdl:context;2','@id':'" + BASE + "','@type':'Interface','contents':["
                + "{'@type':'Property','name':'name','schema':'string'},"
                + "{'@type':'Relationship','name':'near'}]}");
    }

    public static JsonNode sensor() {
        return json("{'@context':'dtmi:dtdl:context;2','@id':'" + SENSOR + "','@type':'Interface','contents':["
                + "{'@type':'Property','name':'cp','schema':'double'},"
                + "{'@type':'Telemetry','name':'reading','schema':'integer'}]}");
    }

    public static JsonNode room() {
        return json("{'@context':'dtmi:dtdl:context;2','@id':'" + ROOM + "','@type':'Interface',"
                + "'extends':'" + BASE + "','contents':["
                + "{'@type':'Property','name':'count','schema':'integer'},"
                + "{'@type':'Property','name':'label','schema':'string'},"
                + "{'@type':'Property','name':'mode','schema':{'@type':'Enum','valueSchema':'string',"
                + "  'enumValues':[{'name':'auto','enumValue':'auto'},{'name':'off','enumValue':'off'}]}},"
                + "{'@type':'Property','name':'settings','schema':{'@type':'Object','fields':["
                + "  {'name':'level','schema':'integer'},{'name':'note','schema':'string'}]}},"
                + "{'@type':'Property','name':'tags','schema':{'@type':'Map',"
                + "  'mapKey':{'name':'tag','schema':'string'},'mapValue':{'name':'weight','schema':'integer'}}},"
                + "{'@type':'Telemetry','name':'temp','schema':'double'},"
                + "{'@type':'Component','name':'comp1','schema':'" + SENSOR + "'},"
                + "{'@type':'Relationship','name':'feeds','target':'" + BASE + "','properties':["
                + "  {'@type':'Property','name':'weight','schema':'double'}]}]}");
    }

    /** A later version of Room: {@code count} became {@code total}, and the component is gone. */
    public static JsonNode roomV2() {
        return json("{'@context':'dtmi:dtdl:context;2','@id':'" + ROOM_V2 + "','@type':'Interface',"
                + "'extends':'" + BASE + "','contents':["
                + "{'@type':'Property','name':'total','schema':'integer'},"
                + "{'@type':'Property','name':'label','schema':'string'}]}");
    }

    public static JsonNode special() {
        return json("{'@context':'dtmi:dtdl:context;2','@id':'" + SPECIAL + "','@type':'Interface',"
                + "'extends':'" + BASE + "'}");
    }

    public static JsonNode other() {
        return json("{'@context':'dtmi:dtdl:context;2','@id':'" + OTHER + "','@type':'Interface','contents':["
                + "{'@type':'Property','name':'x','schema':'integer'}]}");
    }

    /** Room first: a batch may reference models that come later in it. */
    public static List<JsonNode> all() {
        return List.of(room(), base(), sensor(), special(), other(), roomV2(), resource("space.json"),
                resource("thermostat.json"));
    }

    /** Asserts that {@code call} fails as ADT would: status, error code, and a message naming what to fix. */
    public static void assertAdtError(ThrowingCallable call, int status, String code, String... messageParts) {
        assertThatThrownBy(call).isInstanceOfSatisfying(AdtException.class, e -> {
            assertThat(e.code()).as("error code of: %s", e.getMessage()).isEqualTo(code);
            assertThat(e.status()).as("status of: %s", e.getMessage()).isEqualTo(status);
            assertThat(e.getMessage()).contains(messageParts);
        });
    }
}
