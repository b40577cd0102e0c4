package io.twingress.twin;

import static io.twingress.model.TestModels.ROOM;
import static io.twingress.model.TestModels.assertAdtError;
import static io.twingress.model.TestModels.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.twingress.Json;
import io.twingress.ingest.TelemetryIntake;
import io.twingress.model.ModelService;
import io.twingress.model.TestModels;
import io.twingress.store.SqliteTwinStore;

/**
 * What is stored can be read back by any client: values outside their schema's range, malformed source times and
 * JSON pointers are refused with ADT's error, and values at the edge of the range come back exactly as sent.
 */
class TwinValueRangesTest {

    private static final String VALUES = "dtmi:test:Values;1";

    @TempDir
    Path dir;

    private SqliteTwinStore store;
    private ModelService models;
    private TwinOperations twins;
    private TelemetryIntake intake;

    @BeforeEach
    void open() {
        store = new SqliteTwinStore(dir.resolve("twins.db"), "NORMAL");
        models = new ModelService(store);
        models.upload(TestModels.all());
        models.upload(List.of(json("{'@context':'dtmi:dtdl:context;2','@id':'" + VALUES + "','@type':'Interface',"
                + "'contents':["
                + "{'@type':'Property','name':'d','schema':'double'},"
                + "{'@type':'Property','name':'f','schema':'float'},"
                + "{'@type':'Property','name':'i','schema':'integer'},"
                + "{'@type':'Property','name':'l','schema':'long'},"
                + "{'@type':'Property','name':'date','schema':'date'},"
                + "{'@type':'Property','name':'dt','schema':'dateTime'},"
                + "{'@type':'Property','name':'t','schema':'time'},"
                + "{'@type':'Property','name':'dur','schema':'duration'},"
                + "{'@type':'Property','name':'durs','schema':{'@type':'Map',"
                + "  'mapKey':{'name':'k','schema':'string'},'mapValue':{'name':'v','schema':'duration'}}},"
                + "{'@type':'Telemetry','name':'reading','schema':'double'}]}")));
        TwinModels twinModels = new TwinModels(models);
        twins = new TwinOperations(store, twinModels, TestClock.ticking());
        intake = new TelemetryIntake(store, twinModels, null, true);
        twins.put("v1", json("{'$metadata':{'$model':'" + VALUES + "'}}"), null);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private void putValues(String members) {
        twins.put("v2", json("{'$metadata':{'$model':'" + VALUES + "'}," + members + "}"), null);
    }

    private void patch(String id, String document) {
        twins.patch(id, json(document), null);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "'d':1e400                             | beyond the range of a double",
            "'d':-1e400                            | beyond the range of a double",
            "'f':3.5e38                            | beyond the range of a float",
            "'i':2147483648                        | 32-bit",
            "'l':9223372036854775808               | 64-bit",
            "'date':'0000-01-01'                   | 0001 to 9999",
            "'date':'+10000-01-01'                 | 0001 to 9999",
            "'dt':'2024-01-01T10:00Z'              | the seconds are missing",
            "'dt':'10000-01-01T00:00:00Z'          | 0001 to 9999",
            "'dt':'2024-01-01T10:00:00.1234567890Z' | at most 9 digits",
            "'t':'08:15'                           | the seconds are missing",
            "'dur':'p1d'                           | upper-case",
            "'dur':'P-1D'                          | no sign",
            "'dur':'PT-1H'                         | no sign",
            "'dur':'P999999999W'                   | at most 999999999 days",
            "'durs':{'a':'P1D','b':'P999999999W'}  | key 'b'",
    })
    void outOfRangeValuesAreRefusedByPutAndPatch(String member, String reason) {
        String name = member.substring(1, member.indexOf('\'', 1));

        assertAdtError(() -> putValues(member), 400, "ValidationFailed", "'" + name + "'", reason);
        assertAdtError(() -> patch("v1", "[{'op':'add','path':'/" + name + "','value':"
                + member.substring(member.indexOf(':') + 1) + "}]"), 400, "ValidationFailed", "'" + name + "'", reason);
        assertThat(twins.get("v1").has(name)).isFalse();
    }

    @Test
    void valuesAtTheEdgeOfTheirRangeReadBackUnchanged() {
        String members = "'d':1.7976931348623157E308,'f':3.4028235E38,'i':-2147483648,'l':9223372036854775807,"
                + "'date':'0001-01-01','dt':'2016-12-31T23:59:60Z','t':'23:59:60',"
                + "'dur':'PT0.5S','durs':{'week':'P1W','nanos':'PT0.000000001S','max':'P999999999D'}";
        putValues(members);
        ObjectNode sent = (ObjectNode) json("{" + members + "}");

        ObjectNode twin = twins.get("v2");
        sent.fieldNames().forEachRemaining(name -> assertThat(twin.get(name)).as(name).isEqualTo(sent.get(name)));

        patch("v2", "[{'op':'replace','path':'/date','value':'9999-12-31'},"
                + "{'op':'replace','path':'/dt','value':'9999-12-31T23:59:59.123456789+00:00'},"
                + "{'op':'replace','path':'/dur','value':'P1W'}]");
        ObjectNode patched = twins.get("v2");
        assertThat(patched.get("date").asText()).isEqualTo("9999-12-31");
        assertThat(patched.get("dt").asText()).isEqualTo("9999-12-31T23:59:59.123456789+00:00");
        assertThat(patched.get("dur").asText()).isEqualTo("P1W");
        assertThat(Json.write(patched)).contains("\"d\":1.7976931348623157E+308");
    }

    @Test
    void telemetryOutOfRangeIsRefused() {
        assertAdtError(() -> intake.check("v1", null, json("{'reading':1e400}"), "m1", null), 400,
                "ValidationFailed", "'reading'", "beyond the range of a double");
    }

    // ---- source times

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "2024-01-01T10:00Z            | the seconds are missing",
            "2024-05-01T12:00:00          | the offset is missing",
            "2024-05-01 12:00:00Z         | upper-case T",
            "0000-12-31T23:00:00Z         | 0001 to 9999",
            "2024-05-01T12:00:00.1234567890Z | at most 9 digits",
    })
    void sourceTimesThatAreNotRfc3339AreRefusedEverywhere(String time, String reason) {
        assertAdtError(() -> twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "','count':{'sourceTime':'"
                + time + "'}},'count':1,'comp1':{}}"), null), 400, "ValidationFailed", "sourceTime of count", time,
                reason);
        assertAdtError(() -> twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{'cp':1,"
                + "'$metadata':{'cp':{'sourceTime':'" + time + "'}}}}"), null), 400, "ValidationFailed",
                "sourceTime of comp1/cp", reason);

        twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'},'count':1,'comp1':{'cp':1}}"), null);
        assertAdtError(() -> patch("r1", "[{'op':'add','path':'/$metadata/count/sourceTime','value':'" + time
                + "'}]"), 400, "ValidationFailed", "/$metadata/count/sourceTime", reason);
        assertAdtError(() -> patch("r1", "[{'op':'add','path':'/comp1/$metadata/cp/sourceTime','value':'" + time
                + "'}]"), 400, "ValidationFailed", reason);
        assertAdtError(() -> intake.check("r1", null, json("{'temp':1}"), "m1", time), 400,
                "ValidationFailed", "Telemetry-Source-Time", reason);
        assertThat(twins.get("r1").at("/$metadata/count").has("sourceTime")).isFalse();
    }

    @Test
    void aSourceTimeThatIsNotTextIsRefused() {
        assertAdtError(() -> twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "','count':{'sourceTime':"
                + "1714564800}},'count':1,'comp1':{}}"), null), 400, "ValidationFailed", "sourceTime of count",
                "1714564800");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "'$metadata':{'$model':'" + ROOM + "','label':{'sourceTime':'2024-05-01T12:00:00Z'}},'comp1':{} | 'label'",
            "'$metadata':{'$model':'" + ROOM + "','bogus':{'sourceTime':'2024-05-01T12:00:00Z'}},'comp1':{} | 'bogus'",
            "'$metadata':{'$model':'" + ROOM + "','comp1':{'sourceTime':'2024-05-01T12:00:00Z'}},'comp1':{} | 'comp1'",
            "'$metadata':{'$model':'" + ROOM + "'},'comp1':{'$metadata':{'cp':{'sourceTime':'2024-05-01T12:00:00Z'}}}"
                    + " | 'comp1/cp'",
    })
    void aPutSourceTimeThatNamesNoValueIsRefused(String body, String name) {
        assertAdtError(() -> twins.put("r1", json("{" + body + "}"), null), 400, "ValidationFailed", name,
                "does not set");
        assertAdtError(() -> twins.get("r1"), 404, "DigitalTwinNotFound", "r1");
    }

    @Test
    void sourceTimesAtTheEdgeOfTheStandardAreKept() {
        twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "','count':{'sourceTime':"
                + "'2016-12-31T23:59:60Z'},'name':{'sourceTime':'2024-05-01T12:00:00.123456789Z'}},"
                + "'count':1,'name':'n','comp1':{'cp':1,'$metadata':{'cp':{'sourceTime':'0001-01-01T00:00:00Z'}}}}"),
                null);

        JsonNode twin = twins.get("r1");
        assertThat(twin.at("/$metadata/count/sourceTime").asText()).isEqualTo("2016-12-31T23:59:60Z");
        assertThat(twin.at("/$metadata/name/sourceTime").asText()).isEqualTo("2024-05-01T12:00:00.123456789Z");
        assertThat(twin.at("/comp1/$metadata/cp/sourceTime").asText()).isEqualTo("0001-01-01T00:00:00Z");

        patch("r1", "[{'op':'add','path':'/$metadata/count/sourceTime','value':'9999-12-31T23:59:59.999999999Z'}]");
        assertThat(twins.get("r1").at("/$metadata/count/sourceTime").asText())
                .isEqualTo("9999-12-31T23:59:59.999999999Z");
        assertThat(intake.check("r1", null, json("{'temp':1}"), "m1", "2016-12-31T23:59:60Z").sourceTime())
                .isEqualTo("2016-12-31T23:59:60Z");
    }

    // ---- patch documents

    @Test
    void aPathWithAnUnknownEscapeIsAnInvalidPatch() {
        assertAdtError(() -> patch("v1", "[{'op':'add','path':'/durs/~2','value':'P1D'}]"), 400, "JsonPatchInvalid",
                "'/durs/~2'", "~0", "~1");
        twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{}}"), null);
        assertAdtError(() -> twins.patchComponent("r1", "comp1", json("[{'op':'add','path':'/c~p','value':1}]"),
                null), 400, "JsonPatchInvalid", "'/c~p'");

        patch("v1", "[{'op':'add','path':'/durs','value':{}},{'op':'add','path':'/durs/a~1b~0','value':'P1D'}]");
        assertThat(twins.get("v1").get("durs")).isEqualTo(json("{'a/b~':'P1D'}"));
    }
}
