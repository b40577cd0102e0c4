package io.twingress.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * ADT query behaviour every {@link GraphSource} must support, run against a small building: a building with
 * two floors, rooms (two of them conference rooms, a model derived from Room) with a component and an object
 * property, thermostats, and an unconnected lobby. Subclasses load it into their store; expected results are
 * exact, in the order the engine must return them.
 */
public abstract class QueryConformanceSuite {

    protected static final ObjectMapper MAPPER = new ObjectMapper();
    /** The application's defaults (application.properties, twingress.query.*). */
    protected static final QueryLimits LIMITS = new QueryLimits(10_000, 200_000, Duration.ofSeconds(10));
    protected static final String SPACE = "dtmi:twingress:test:Space;1";
    protected static final String BUILDING = "dtmi:twingress:test:Building;1";
    protected static final String FLOOR = "dtmi:twingress:test:Floor;1";
    protected static final String ROOM = "dtmi:twingress:test:Room;1";
    protected static final String CONFERENCE_ROOM = "dtmi:twingress:test:ConferenceRoom;1";
    protected static final String THERMOSTAT = "dtmi:twingress:test:Thermostat;1";

    protected static final List<String> ALL_TWINS = List.of("building1", "floor1", "floor2", "lobby", "room11",
            "room12", "room21", "room22", "thermostat11", "thermostat21");

    protected QueryEngine engine;

    /** The store under test, already holding whatever {@link #loadGraph} put in. */
    protected abstract GraphSource source();

    /** Replaces the store's content with these models, twins and relationships. */
    protected abstract void loadGraph(List<ObjectNode> twins, List<ObjectNode> relationships, List<JsonNode> models);

    /** Creates or replaces a twin, as a write between two query pages would. */
    protected abstract void putTwin(ObjectNode twin);

    /** Deletes a twin that has no relationships. */
    protected abstract void deleteTwin(String id);

    @BeforeEach
    void loadBuilding() {
        loadGraph(buildingTwins(), buildingRelationships(), buildingModels());
        engine = new QueryEngine(source(), MAPPER, LIMITS, Clock.systemUTC());
    }

    protected static List<JsonNode> buildingModels() {
        return List.of(model(SPACE, null), model(BUILDING, SPACE), model(FLOOR, SPACE), model(ROOM, SPACE),
                model(CONFERENCE_ROOM, ROOM), model(THERMOSTAT, null));
    }

    protected static List<ObjectNode> buildingTwins() {
        return objects("""
            [
             {"$dtId":"building1","$etag":"W/\\"e1\\"","name":"HQ",
              "$metadata":{"$model":"dtmi:twingress:test:Building;1","$lastUpdateTime":"2024-01-01T00:00:00Z"}},
             {"$dtId":"floor1","$etag":"W/\\"e2\\"","name":"Floor 1","level":1,
              "$metadata":{"$model":"dtmi:twingress:test:Floor;1","$lastUpdateTime":"2024-01-01T00:00:00Z"}},
             {"$dtId":"floor2","$etag":"W/\\"e3\\"","name":"Floor 2","level":2,
              "$metadata":{"$model":"dtmi:twingress:test:Floor;1","$lastUpdateTime":"2024-01-01T00:00:00Z"}},
             {"$dtId":"lobby","$etag":"W/\\"e4\\"","name":"Lobby",
              "$metadata":{"$model":"dtmi:twingress:test:Space;1","$lastUpdateTime":"2024-01-01T00:00:00Z"}},
             {"$dtId":"room11","$etag":"W/\\"e5\\"","name":"Room 11","Temperature":70,"Humidity":40,"occupied":true,
              "location":{"building":"HQ","floor":1},"tags":["quiet","window"],
              "lighting":{"brightness":80,"$metadata":{"$lastUpdateTime":"2024-01-01T00:00:00Z"}},
              "$metadata":{"$model":"dtmi:twingress:test:Room;1","$lastUpdateTime":"2024-01-01T00:00:00Z",
                "Temperature":{"lastUpdateTime":"2024-01-01T00:00:00Z","sourceTime":"2023-12-31T23:59:00Z"}}},
             {"$dtId":"room12","$etag":"W/\\"e6\\"","name":"O'Brien's room","Temperature":75.5,"occupied":false,
              "location":{"building":"HQ","floor":1},"tags":["projector"],
              "lighting":{"brightness":60,"$metadata":{"$lastUpdateTime":"2024-01-01T00:00:00Z"}},
              "$metadata":{"$model":"dtmi:twingress:test:ConferenceRoom;1","$lastUpdateTime":"2024-03-01T00:00:00Z",
                "Temperature":{"lastUpdateTime":"2024-03-01T00:00:00Z"}}},
             {"$dtId":"room21","$etag":"W/\\"e7\\"","name":"Room 21","Temperature":68,"Humidity":55,"note":null,
              "location":{"building":"HQ","floor":2},
              "lighting":{"$metadata":{"$lastUpdateTime":"2024-01-01T00:00:00Z"}},
              "$metadata":{"$model":"dtmi:twingress:test:Room;1","$lastUpdateTime":"2024-01-01T00:00:00Z",
                "Temperature":{"lastUpdateTime":"2024-01-15T00:00:00Z"}}},
             {"$dtId":"room22","$etag":"W/\\"e8\\"","name":"Room \\"22\\"","Temperature":"warm",
              "lighting":{"brightness":100,"$metadata":{"$lastUpdateTime":"2024-01-01T00:00:00Z"}},
              "$metadata":{"$model":"dtmi:twingress:test:ConferenceRoom;1","$lastUpdateTime":"2024-01-01T00:00:00Z"}},
             {"$dtId":"thermostat11","$etag":"W/\\"e9\\"","setPoint":70,"firmware":"v1.2",
              "$metadata":{"$model":"dtmi:twingress:test:Thermostat;1","$lastUpdateTime":"2024-01-01T00:00:00Z"}},
             {"$dtId":"thermostat21","$etag":"W/\\"e10\\"","setPoint":65,"firmware":"v2.0",
              "$metadata":{"$model":"dtmi:twingress:test:Thermostat;1","$lastUpdateTime":"2024-01-01T00:00:00Z"}}
            ]""");
    }

    protected static List<ObjectNode> buildingRelationships() {
        return List.of(
                relationship("b1-f1", "building1", "floor1", "hasFloor", null),
                relationship("b1-f2", "building1", "floor2", "hasFloor", null),
                relationship("f1-r11", "floor1", "room11", "contains", "Contoso"),
                relationship("f1-r12", "floor1", "room12", "contains", "Fabrikam"),
                relationship("f2-r21", "floor2", "room21", "contains", "Contoso"),
                relationship("f2-r22", "floor2", "room22", "contains", null),
                relationship("r11-t11", "room11", "thermostat11", "hasDevice", null),
                relationship("r21-t21", "room21", "thermostat21", "hasDevice", null),
                relationship("t21-r22", "thermostat21", "room22", "serves", null),
                relationship("r12-f2", "room12", "floor2", "isAssociatedWith", null));
    }

    // ---- selection and filters -------------------------------------------------------------------------

    @Test
    void selectStarReturnsEveryTwinInIdOrder() {
        assertThat(ids("SELECT * FROM DIGITALTWINS")).isEqualTo(ALL_TWINS);
    }

    @Test
    void selectStarReturnsTheTwinObjectsThemselves() {
        List<JsonNode> rows = rows("SELECT * FROM DIGITALTWINS WHERE $dtId = 'room11'");
        assertThat(rows).containsExactly(source().twin("room11"));
    }

    @Test
    void bareNamesReferToTheTwinWithoutAlias() {
        assertThat(ids("SELECT * FROM digitaltwins WHERE Temperature > 69")).containsExactly("room11", "room12");
    }

    @Test
    void keywordsIgnoreCase() {
        assertThat(ids("sElEcT * fRoM DigitalTwins t wHeRe t.Temperature >= 70 AnD t.Temperature < 75"))
                .containsExactly("room11");
        assertThat(ids("select top(1) * from digitaltwins where is_of_model('" + ROOM + "', EXACT)"))
                .containsExactly("room11");
    }

    @Test
    void propertyNamesAndIdsAreCaseSensitive() {
        assertThat(ids("SELECT * FROM DIGITALTWINS WHERE temperature > 0")).isEmpty();
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.$dtId = 'ROOM11'")).isEmpty();
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.Temperature = 70")).containsExactly("room11");
    }

    @Test
    void comparisonOperators() {
        String rooms = "SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + ROOM + "') AND ";
        assertThat(ids(rooms + "T.Temperature = 68")).containsExactly("room21");
        assertThat(ids(rooms + "T.Temperature != 70")).containsExactly("room12", "room21");
        assertThat(ids(rooms + "T.Temperature < 70")).containsExactly("room21");
        assertThat(ids(rooms + "T.Temperature <= 70")).containsExactly("room11", "room21");
        assertThat(ids(rooms + "T.Temperature > 70")).containsExactly("room12");
        assertThat(ids(rooms + "T.Temperature >= 68.0")).containsExactly("room11", "room12", "room21");
        assertThat(ids(rooms + "T.Temperature > -1.5e1")).containsExactly("room11", "room12", "room21");
        // the literal on the left, and a path into an object property
        assertThat(ids(rooms + "70 > T.Temperature")).containsExactly("room21");
        assertThat(ids(rooms + "T.location.floor >= 2")).containsExactly("room21");
        assertThat(ids(rooms + "T.name >= 'Room 2'")).containsExactly("room21");
        assertThat(ids(rooms + "T.occupied = false")).containsExactly("room12");
    }

    @Test
    void numbersNoDoubleCanHoldAreQueryErrors() {
        String from = "SELECT * FROM DIGITALTWINS T WHERE ";
        String huge = "9".repeat(400);
        // each condition and its out-of-range literal; the error points at the literal's digits
        for (List<String> example : List.of(List.of("T.Temperature < 1e400", "1e400"),
                List.of("T.Temperature <= 1e400", "1e400"), List.of("T.Temperature > -1e400", "1e400"),
                List.of("1e400 >= T.Temperature", "1e400"), List.of("T.Temperature = 1e9999999999", "1e9999999999"),
                List.of("T.Temperature < 1e-9999999999", "1e-9999999999"),
                List.of("T.Temperature IN [1, -1e9999999999]", "1e9999999999"),
                List.of("T.Temperature > " + huge, huge))) {
            String condition = example.get(0);
            int position = from.length() + condition.indexOf(example.get(1)) + 1;
            assertThatThrownBy(() -> engine.execute(from + condition, null, 10)).as(condition)
                    .isInstanceOf(QueryException.class)
                    .hasMessageStartingWith("Invalid query at position " + position + ": the number ")
                    .hasMessageEndingWith(" is out of range; expected a number between -1.7976931348623157E308"
                            + " and 1.7976931348623157E308");
        }
        // the largest double and a number that rounds to zero are well defined
        assertThat(ids(from + "T.Temperature < 1.7976931348623157e308 AND T.Temperature > 1e-400"))
                .containsExactly("room11", "room12", "room21");
    }

    @Test
    void valuesOfDifferentTypesAndMissingValuesNeverCompare() {
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.Temperature = 'warm'")).containsExactly("room22");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.Temperature > 'a'")).containsExactly("room22");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.Temperature = '70'")).isEmpty();
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.Humidity != 40")).containsExactly("room21");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.occupied > 0")).isEmpty();
    }

    @Test
    void inAndNinLists() {
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.$dtId IN ['room21', 'room11', 'nowhere']"))
                .containsExactly("room11", "room21");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + ROOM + "')"
                + " AND T.name NIN ['Room 11', 'Room 21']")).containsExactly("room12", "room22");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.setPoint IN [65, 1]")).containsExactly("thermostat21");
    }

    @Test
    void andOrNotAndParentheses() {
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + ROOM + "')"
                + " AND NOT (T.Temperature > 69 OR T.Humidity < 50)")).containsExactly("room21", "room22");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE (T.setPoint = 70 OR T.level = 2) AND NOT T.name = 'Floor 2'"))
                .containsExactly("thermostat11");
        assertThat(ids("SELECT * FROM DIGITALTWINS WHERE setPoint = 70 OR level = 2 AND name = 'Floor 2'"))
                .containsExactly("floor2", "thermostat11");
    }

    @Test
    void isOfModelMatchesDerivedModelsUnlessExact() {
        assertThat(ids("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('" + ROOM + "')"))
                .containsExactly("room11", "room12", "room21", "room22");
        assertThat(ids("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('" + ROOM + "', exact)"))
                .containsExactly("room11", "room21");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + CONFERENCE_ROOM + "')"))
                .containsExactly("room12", "room22");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + SPACE + "', exact)"))
                .containsExactly("lobby");
        assertThat(ids("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('" + SPACE + "')"))
                .containsExactly("building1", "floor1", "floor2", "lobby", "room11", "room12", "room21", "room22");
        assertThat(ids("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('dtmi:twingress:test:Unknown;1')")).isEmpty();
        assertThat(ids("SELECT * FROM DIGITALTWINS WHERE NOT IS_OF_MODEL('" + SPACE + "')"))
                .containsExactly("thermostat11", "thermostat21");
    }

    @Test
    void isOfModelCombinedWithAPropertyFilter() {
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + ROOM + "') AND T.Temperature > 68"))
                .containsExactly("room11", "room12");
    }

    @Test
    void typeCheckingFunctions() {
        String from = "SELECT * FROM DIGITALTWINS T WHERE ";
        assertThat(ids(from + "IS_DEFINED(T.Humidity)")).containsExactly("room11", "room21");
        assertThat(ids(from + "IS_OF_MODEL(T, '" + ROOM + "') AND NOT IS_DEFINED(T.Humidity)"))
                .containsExactly("room12", "room22");
        assertThat(ids(from + "IS_NULL(T.note)")).containsExactly("room21");
        assertThat(ids(from + "IS_BOOL(T.occupied)")).containsExactly("room11", "room12");
        assertThat(ids(from + "IS_NUMBER(T.Temperature)")).containsExactly("room11", "room12", "room21");
        assertThat(ids(from + "IS_STRING(T.Temperature)")).containsExactly("room22");
        assertThat(ids(from + "IS_OBJECT(T.location)")).containsExactly("room11", "room12", "room21");
        assertThat(ids(from + "IS_PRIMITIVE(T.Temperature)")).containsExactly("room11", "room12", "room21", "room22");
        assertThat(ids(from + "IS_PRIMITIVE(T.location) OR IS_PRIMITIVE(T.tags)")).isEmpty();
    }

    @Test
    void stringAndArrayFunctions() {
        String from = "SELECT * FROM DIGITALTWINS T WHERE ";
        assertThat(ids(from + "STARTSWITH(T.name, 'Room')")).containsExactly("room11", "room21", "room22");
        assertThat(ids(from + "ENDSWITH(T.firmware, '.0')")).containsExactly("thermostat21");
        assertThat(ids(from + "CONTAINS(T.name, 'Brien')")).containsExactly("room12");
        assertThat(ids(from + "startswith(T.name, 'room')")).isEmpty();
        assertThat(ids(from + "ARRAY_CONTAINS(T.tags, 'quiet')")).containsExactly("room11");
        assertThat(ids(from + "ARRAY_CONTAINS(T.name, 'Room 11')")).isEmpty();
    }

    @Test
    void stringLiteralsWithEscapedAndMixedQuotes() {
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.name = 'O\\'Brien\\'s room'")).containsExactly("room12");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.name = \"O'Brien's room\"")).containsExactly("room12");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.name = \"Room \\\"22\\\"\"")).containsExactly("room22");
        assertThat(ids("SELECT * FROM DIGITALTWINS T WHERE T.name = 'Room \"22\"'")).containsExactly("room22");
    }

    @Test
    void componentObjectAndMetadataPaths() {
        String from = "SELECT * FROM DIGITALTWINS T WHERE ";
        assertThat(ids(from + "T.lighting.brightness >= 80")).containsExactly("room11", "room22");
        assertThat(ids(from + "T.location.floor = 2")).containsExactly("room21");
        assertThat(ids(from + "T.$metadata.$model = '" + THERMOSTAT + "'")).containsExactly("thermostat11", "thermostat21");
        assertThat(ids(from + "T.$metadata.Temperature.lastUpdateTime > '2024-01-10'")).containsExactly("room12", "room21");
        assertThat(ids(from + "IS_DEFINED(T.$metadata.Temperature.sourceTime)")).containsExactly("room11");
        assertThat(ids(from + "IS_DEFINED(T.lighting) AND NOT IS_DEFINED(T.lighting.brightness)")).containsExactly("room21");
    }

    // ---- projections, COUNT, TOP ------------------------------------------------------------------------

    @Test
    void projectedPropertiesUseAliasesAndLeaveMissingOnesOut() {
        assertRows("SELECT T.name AS n, T.Humidity, T.lighting.brightness AS b FROM DIGITALTWINS T"
                + " WHERE IS_OF_MODEL(T, '" + ROOM + "')", json("""
                [{"n":"Room 11","Humidity":40,"b":80},{"n":"O'Brien's room","b":60},{"n":"Room 21","Humidity":55},
                 {"n":"Room \\"22\\"","b":100}]"""));
        assertRows("SELECT $dtId, $metadata.$model AS model FROM DIGITALTWINS WHERE level = 2",
                json("[{\"$dtId\":\"floor2\",\"model\":\"" + FLOOR + "\"}]"));
    }

    @Test
    void projectedAliasWrapsTheTwin() {
        assertThat(rows("SELECT T FROM DIGITALTWINS T WHERE T.$dtId = 'floor1'"))
                .containsExactly(MAPPER.createObjectNode().set("T", source().twin("floor1")));
    }

    @Test
    void countReturnsOneRow() {
        assertRows("SELECT COUNT() FROM DIGITALTWINS", json("[{\"COUNT\":10}]"));
        assertRows("SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('" + ROOM + "')", json("[{\"COUNT\":4}]"));
        assertRows("SELECT COUNT() FROM DIGITALTWINS T WHERE T.Temperature > 69", json("[{\"COUNT\":2}]"));
        assertRows("SELECT COUNT() FROM RELATIONSHIPS R WHERE R.$relationshipName = 'contains'", json("[{\"COUNT\":4}]"));
        assertRows("SELECT COUNT() FROM DIGITALTWINS F JOIN R RELATED F.contains"
                + " WHERE F.$dtId IN ['floor1', 'floor2']", json("[{\"COUNT\":4}]"));
    }

    @Test
    void topLimitsTheResultAcrossPages() {
        assertThat(ids("SELECT TOP(2) * FROM DIGITALTWINS WHERE IS_OF_MODEL('" + SPACE + "')"))
                .containsExactly("building1", "floor1");
        List<QueryPage> pages = pages("SELECT TOP(3) T FROM DIGITALTWINS T", 2);
        assertThat(pages).hasSize(2);
        assertThat(pages.get(0).items()).hasSize(2);
        assertThat(pages.get(1).items()).hasSize(1);
        assertThat(pages.get(1).continuationToken()).isNull();
        assertThat(ids("SELECT TOP(100) * FROM DIGITALTWINS")).isEqualTo(ALL_TWINS);
        assertThat(ids("SELECT TOP (2) FROM DIGITALTWINS WHERE IS_OF_MODEL('" + SPACE + "')"))
                .containsExactly("building1", "floor1");
    }

    // ---- JOIN ------------------------------------------------------------------------------------------

    @Test
    void joinFromAPinnedTwin() {
        assertThat(tuples("SELECT F, R FROM DIGITALTWINS F JOIN R RELATED F.contains WHERE F.$dtId = 'floor1'", "F", "R"))
                .containsExactly("floor1/room11", "floor1/room12");
    }

    @Test
    void joinWithRelationshipAliasAndFilters() {
        assertThat(tuples("SELECT R, Rel FROM DIGITALTWINS F JOIN R RELATED F.contains Rel"
                + " WHERE F.$dtId = 'floor1' AND Rel.ownershipUser = 'Contoso'", "R", "Rel"))
                .containsExactly("room11/f1-r11");
        assertRows("SELECT R.name AS room, Rel.ownershipUser AS owner FROM DIGITALTWINS F"
                + " JOIN R RELATED F.contains Rel WHERE F.$dtId = 'floor2'", json("""
                [{"room":"Room 21","owner":"Contoso"},{"room":"Room \\"22\\""}]"""));
    }

    @Test
    void chainedJoins() {
        assertThat(tuples("SELECT F, R, D FROM DIGITALTWINS F JOIN R RELATED F.contains JOIN D RELATED R.hasDevice"
                + " WHERE F.$dtId IN ['floor2', 'floor1']", "F", "R", "D"))
                .containsExactly("floor1/room11/thermostat11", "floor2/room21/thermostat21");
        assertThat(tuples("SELECT B, F, R FROM DIGITALTWINS B JOIN F RELATED B.hasFloor JOIN R RELATED F.contains"
                + " WHERE B.$dtId = 'building1' AND IS_OF_MODEL(R, '" + CONFERENCE_ROOM + "')", "B", "F", "R"))
                .containsExactly("building1/floor1/room12", "building1/floor2/room22");
    }

    @Test
    void joinPinnedOnTheJoinedTwin() {
        assertThat(tuples("SELECT F, R FROM DIGITALTWINS F JOIN R RELATED F.contains WHERE R.$dtId = 'room21'", "F", "R"))
                .containsExactly("floor2/room21");
    }

    // ---- MATCH -----------------------------------------------------------------------------------------

    @Test
    void matchDirections() {
        assertThat(tuples("SELECT f, r FROM DIGITALTWINS MATCH (f)-[:contains]->(r) WHERE f.$dtId = 'floor2'", "f", "r"))
                .containsExactly("floor2/room21", "floor2/room22");
        assertThat(tuples("SELECT f FROM DIGITALTWINS MATCH (r)<-[:contains]-(f) WHERE r.$dtId = 'room12'", "f"))
                .containsExactly("floor1");
        assertThat(tuples("SELECT a, b FROM DIGITALTWINS MATCH (a)-[]-(b) WHERE a.$dtId = 'room21'", "a", "b"))
                .containsExactly("room21/floor2", "room21/thermostat21");
    }

    @Test
    void matchNameAlternatives() {
        assertThat(tuples("SELECT r, x FROM DIGITALTWINS MATCH (r)-[:hasDevice|isAssociatedWith]->(x)"
                + " WHERE r.$dtId IN ['room11', 'room12']", "r", "x"))
                .containsExactly("room11/thermostat11", "room12/floor2");
    }

    @Test
    void matchHopRanges() {
        String from = "SELECT x FROM DIGITALTWINS MATCH (b)-[";
        String where = "]->(x) WHERE b.$dtId = 'building1'";
        assertThat(tuples(from + "*2" + where, "x")).containsExactly("room11", "room12", "room21", "room22");
        assertThat(tuples(from + "*..2" + where, "x"))
                .containsExactly("floor1", "floor2", "room11", "room12", "room21", "room22");
        // The lower bound is exclusive: two or three hops. floor2 is also three hops away, via room12.
        assertThat(tuples(from + "*1..3" + where, "x")).containsExactly("floor2", "room11", "room12", "room21",
                "room22", "thermostat11", "thermostat21");
        assertThat(tuples(from + ":contains*1" + "]->(x) WHERE b.$dtId = 'floor1'", "x")).containsExactly("room11", "room12");
    }

    @Test
    void matchAroundCyclesEnds() {
        assertThat(tuples("SELECT b FROM DIGITALTWINS MATCH (a)-[*..10]-(b) WHERE a.$dtId = 'building1'", "b"))
                .containsExactly("floor1", "floor2", "room11", "room12", "room21", "room22", "thermostat11",
                        "thermostat21");
    }

    @Test
    void matchRelationshipVariable() {
        assertThat(tuples("SELECT r, rel FROM DIGITALTWINS MATCH (f)-[rel:contains]->(r)"
                + " WHERE f.$dtId = 'floor1' AND rel.ownershipUser = 'Fabrikam'", "r", "rel"))
                .containsExactly("room12/f1-r12");
    }

    @Test
    void matchChains() {
        String chain = "SELECT f, r, t FROM DIGITALTWINS MATCH (f)-[:contains]->(r)-[:hasDevice]->(t) WHERE ";
        assertThat(tuples(chain + "f.$dtId = 'floor2'", "f", "r", "t")).containsExactly("floor2/room21/thermostat21");
        assertThat(tuples(chain + "r.$dtId = 'room11'", "f", "r", "t")).containsExactly("floor1/room11/thermostat11");
        assertThat(tuples(chain + "t.$dtId = 'thermostat21' AND r.Temperature < 70", "f", "r", "t"))
                .containsExactly("floor2/room21/thermostat21");
    }

    // ---- RELATIONSHIPS ---------------------------------------------------------------------------------

    @Test
    void relationshipQueries() {
        assertThat(relationshipIds("SELECT * FROM RELATIONSHIPS")).containsExactly("b1-f1", "b1-f2", "f1-r11",
                "f1-r12", "f2-r21", "f2-r22", "r11-t11", "r12-f2", "r21-t21", "t21-r22");
        assertThat(relationshipIds("SELECT * FROM RELATIONSHIPS R WHERE R.$relationshipName = 'contains'"))
                .containsExactly("f1-r11", "f1-r12", "f2-r21", "f2-r22");
        assertThat(relationshipIds("SELECT * FROM RELATIONSHIPS WHERE $sourceId = 'floor1'"))
                .containsExactly("f1-r11", "f1-r12");
        assertThat(relationshipIds("SELECT * FROM RELATIONSHIPS R WHERE R.$targetId = 'room22'"))
                .containsExactly("f2-r22", "t21-r22");
        assertThat(relationshipIds("SELECT * FROM RELATIONSHIPS R WHERE R.ownershipUser = 'Contoso'"))
                .containsExactly("f1-r11", "f2-r21");
        assertRows("SELECT R.$sourceId AS s, R.$targetId AS t FROM RELATIONSHIPS R"
                + " WHERE R.$relationshipName = 'hasDevice'", json("""
                [{"s":"room11","t":"thermostat11"},{"s":"room21","t":"thermostat21"}]"""));
    }

    // ---- limits ----------------------------------------------------------------------------------------

    @Test
    void chainsOfJoinsAndMatchesOverADenseGraphAreRefusedByTheCostBudget() {
        loadDenseGraph();
        String joins = "SELECT T5 FROM DIGITALTWINS T JOIN T1 RELATED T.link JOIN T2 RELATED T1.link"
                + " JOIN T3 RELATED T2.link JOIN T4 RELATED T3.link JOIN T5 RELATED T4.link";
        // 15^5 paths and none of them a row, so the page never fills: only the budget ends the walk
        assertThatThrownBy(() -> engine.execute(joins + " WHERE T.$dtId = 'd00' AND T5.name = 'none'", null, 10))
                .isInstanceOf(QueryException.class)
                .hasMessage("Query cost limit exceeded at position " + (joins.indexOf("JOIN") + 1) + ": the query"
                        + " reads or expands more than 200000 twins and relationships in one request; expected a"
                        + " narrower query: fewer JOINs or hops, relationship names, fewer $dtId values, or"
                        + " conditions on the twins nearest the one the $dtId filter pins");
        String match = "SELECT x FROM DIGITALTWINS MATCH (a)-[*..6]-(x) WHERE a.$dtId = 'd00'";
        assertThatThrownBy(() -> engine.execute(match, null, 10)).isInstanceOf(QueryException.class)
                .hasMessageStartingWith("Query cost limit exceeded at position " + (match.indexOf("MATCH") + 1)
                        + ": the query reads or expands more than 200000 twins and relationships in one request;");
        // the same graph under shorter patterns is answered in full
        assertThat(rows("SELECT T2 FROM DIGITALTWINS T JOIN T1 RELATED T.link JOIN T2 RELATED T1.link"
                + " WHERE T.$dtId = 'd00'")).hasSize(15 * 15);
        // paths are simple, so a walk never comes back to d00
        assertThat(rows("SELECT x FROM DIGITALTWINS MATCH (a)-[*..2]-(x) WHERE a.$dtId = 'd00'")).hasSize(15);
    }

    @Test
    void requestsPastTheTimeLimitAreRefused() {
        // every read that returns room12 takes 11 s of a clock that moves only then
        MeteredGraphSource stalling = new MeteredGraphSource(source()).stallOn("room12", Duration.ofSeconds(11));
        QueryEngine timed = new QueryEngine(stalling, MAPPER, LIMITS, stalling.clock);
        String scan = "SELECT * FROM DIGITALTWINS WHERE name != 'x'";
        String join = "SELECT R FROM DIGITALTWINS F JOIN R RELATED F.contains WHERE F.$dtId = 'floor1'";

        assertThat(timed.execute("SELECT * FROM DIGITALTWINS WHERE $dtId = 'room11'", null, 10).items()).hasSize(1);
        assertThatThrownBy(() -> timed.execute(scan, null, 10)).isInstanceOf(QueryException.class)
                .hasMessage("Query time limit exceeded at position 1: the query runs longer than 10 s in one"
                        + " request; expected a narrower query: a $dtId filter or IS_OF_MODEL");
        assertThatThrownBy(() -> timed.execute(join, null, 10)).isInstanceOf(QueryException.class)
                .hasMessageStartingWith("Query time limit exceeded at position " + (join.indexOf("JOIN") + 1)
                        + ": the query runs longer than 10 s in one request; expected a narrower query: fewer JOINs");

        QueryEngine patient = new QueryEngine(stalling, MAPPER, new QueryLimits(10_000, 200_000, Duration.ofSeconds(30)),
                stalling.clock);
        assertThat(patient.execute(scan, null, 10).items()).hasSize(8);
        assertThat(patient.execute(join, null, 10).items()).hasSize(2);
    }

    @Test
    void scansPastTheScanBudgetEndPagesEarlyAndTheTokensResumeWhereTheScanStopped() {
        List<String> extra = new ArrayList<>();
        for (int i = 0; i < 33; i++) {
            ObjectNode twin = newTwin(String.format("s%02d", i));
            twin.put("n", i);
            putTwin(twin);
            extra.add(twin.get("$dtId").asText());
        }
        MeteredGraphSource metered = new MeteredGraphSource(source());
        QueryEngine frugal = new QueryEngine(metered, MAPPER, new QueryLimits(7, 200_000, Duration.ofSeconds(10)),
                Clock.systemUTC());
        List<Long> reads = new ArrayList<>();

        // 43 twins in id order (building1 .. room22, s00 .. s32, thermostat11, thermostat21), seven read a request
        String sTwins = "SELECT * FROM DIGITALTWINS T WHERE STARTSWITH(T.$dtId, 's')";
        List<QueryPage> pages = pages(frugal, metered, sTwins, 1000, reads);
        assertThat(pages).extracting(p -> p.items().size()).containsExactly(0, 6, 7, 7, 7, 6, 0);
        assertThat(pages).extracting(p -> p.continuationToken() != null)
                .containsExactly(true, true, true, true, true, true, false);
        assertThat(ids(pages)).containsExactlyElementsOf(extra);
        assertThat(reads).containsExactly(7L, 7L, 7L, 7L, 7L, 7L, 1L);

        // full pages and early ends interleave
        assertThat(ids(pages(frugal, metered, sTwins, 5, reads))).containsExactlyElementsOf(extra);
        // a numeric bound the store may apply itself: how many rows a request reads depends on the store
        reads.clear();
        assertThat(ids(pages(frugal, metered, "SELECT * FROM DIGITALTWINS T WHERE T.n >= 0", 1000, reads)))
                .containsExactlyElementsOf(extra);
        assertThat(reads).allMatch(r -> r <= 7);

        // COUNT() is one row; the pages before it are empty
        pages = pages(frugal, metered, sTwins.replace("*", "COUNT()"), 1000, reads);
        assertThat(pages).extracting(p -> p.items().size()).containsExactly(0, 0, 0, 0, 0, 0, 1);
        assertThat(pages.get(6).items().get(0).toString()).isEqualTo("{\"COUNT\":33}");
    }

    @Test
    void relationshipScansPastTheScanBudgetResumeWhereTheyStopped() {
        QueryEngine frugal = new QueryEngine(source(), MAPPER, new QueryLimits(3, 200_000, Duration.ofSeconds(10)),
                Clock.systemUTC());
        // the ten relationships in (source, id) order, three read a request
        List<QueryPage> pages = pages(frugal, "SELECT * FROM RELATIONSHIPS R WHERE R.$relationshipName = 'contains'");
        assertThat(pages).extracting(p -> p.items().size()).containsExactly(1, 3, 0, 0);
        assertThat(relationshipIds(pages)).containsExactly("f1-r11", "f1-r12", "f2-r21", "f2-r22");

        pages = pages(frugal, "SELECT * FROM RELATIONSHIPS R WHERE R.$sourceId IN ['floor2', 'floor1']");
        assertThat(pages).extracting(p -> p.items().size()).containsExactly(3, 1);
        assertThat(relationshipIds(pages)).containsExactly("f1-r11", "f1-r12", "f2-r21", "f2-r22");

        // pinned targets are read target by target, each in (source, id) order
        assertThat(relationshipIds(pages(frugal, "SELECT * FROM RELATIONSHIPS R"
                + " WHERE R.$targetId IN ['room22', 'floor2', 'room11']")))
                .containsExactly("b1-f2", "r12-f2", "f1-r11", "f2-r22", "t21-r22");
    }

    @Test
    void patternsPastTheScanBudgetReadNeighboursInChunksAndResumeInsideThem() {
        loadStarGraph();
        MeteredGraphSource metered = new MeteredGraphSource(source());
        QueryEngine frugal = new QueryEngine(metered, MAPPER, new QueryLimits(10, 200_000, Duration.ofSeconds(10)),
                Clock.systemUTC());
        List<Long> reads = new ArrayList<>();
        List<String> leaves = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            leaves.add(String.format("leaf%02d", i));
        }

        // each request reads the hub, then four spokes and the four leaves they lead to, and stops there
        String join = "SELECT L FROM DIGITALTWINS H JOIN L RELATED H.spoke WHERE H.$dtId = 'hub'";
        List<QueryPage> pages = pages(frugal, metered, join, 1000, reads);
        assertThat(pages).extracting(p -> p.items().size()).containsExactly(4, 4, 4, 4, 4, 4, 1);
        assertThat(tuples(pages, "L")).containsExactlyElementsOf(leaves);
        assertThat(reads).containsExactly(9L, 9L, 9L, 9L, 9L, 9L, 3L);

        for (String match : List.of("SELECT x FROM DIGITALTWINS MATCH (h)-[]-(x) WHERE h.$dtId = 'hub'",
                "SELECT x, r FROM DIGITALTWINS MATCH (x)-[r:feeds]->(h) WHERE h.$dtId = 'hub'",
                "SELECT x FROM DIGITALTWINS MATCH (h)-[*..2]-(x) WHERE h.$dtId = 'hub'",
                "SELECT h, x FROM DIGITALTWINS MATCH (h)-[:spoke]->(x)-[:feeds]->(h) WHERE h.$dtId = 'hub'")) {
            List<String> whole = tuples(pages(match, 1000), "x");
            assertThat(tuples(pages(frugal, metered, match, 1000, reads), "x")).as(match).isEqualTo(whole);
            assertThat(tuples(pages(frugal, metered, match, 3, reads), "x")).as(match).isEqualTo(whole);
        }
        // both directions: the five leaves feeding the hub, then all spokes; a path of two hops ends at every leaf
        assertThat(tuples("SELECT x FROM DIGITALTWINS MATCH (h)-[]-(x) WHERE h.$dtId = 'hub'", "x"))
                .containsExactlyElementsOf(concat(leaves.subList(0, 5), leaves));
        assertThat(tuples("SELECT x FROM DIGITALTWINS MATCH (h)-[*..2]-(x) WHERE h.$dtId = 'hub'", "x"))
                .containsExactlyElementsOf(leaves);
        assertThat(tuples("SELECT h, x FROM DIGITALTWINS MATCH (h)-[:spoke]->(x)-[:feeds]->(h)"
                + " WHERE h.$dtId = 'hub'", "x")).containsExactlyElementsOf(leaves.subList(0, 5));
    }

    /** Replaces the building with a hub that has a spoke to each of 25 leaves, five of which feed it back. */
    protected void loadStarGraph() {
        List<ObjectNode> twins = new ArrayList<>(List.of(newTwin("hub")));
        List<ObjectNode> links = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String leaf = String.format("leaf%02d", i);
            twins.add(newTwin(leaf));
            links.add(relationship("hub-" + leaf, "hub", leaf, "spoke", null));
            if (i < 5) {
                links.add(relationship(leaf + "-hub", leaf, "hub", "feeds", null));
            }
        }
        loadGraph(twins, links, buildingModels());
        engine = new QueryEngine(source(), MAPPER, LIMITS, Clock.systemUTC());
    }

    /** Replaces the building with sixteen twins, d00 to d15, each related by "link" to every other one. */
    protected void loadDenseGraph() {
        List<ObjectNode> twins = new ArrayList<>();
        List<ObjectNode> links = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            twins.add(newTwin(String.format("d%02d", i)));
            for (int j = 0; j < 16; j++) {
                if (i != j) {
                    links.add(relationship(String.format("d%02d-d%02d", i, j), String.format("d%02d", i),
                            String.format("d%02d", j), "link", null));
                }
            }
        }
        loadGraph(twins, links, buildingModels());
        engine = new QueryEngine(source(), MAPPER, LIMITS, Clock.systemUTC());
    }

    // ---- paging ----------------------------------------------------------------------------------------

    @Test
    void smallPagesReturnEverythingOnceWithTokensUntilTheEnd() {
        List<QueryPage> pages = pages("SELECT * FROM DIGITALTWINS", 3);
        assertThat(pages).extracting(p -> p.items().size()).containsExactly(3, 3, 3, 1);
        assertThat(pages.subList(0, 3)).allMatch(p -> p.continuationToken() != null);
        assertThat(pages.get(3).continuationToken()).isNull();
        assertThat(pages("SELECT * FROM DIGITALTWINS", 5)).hasSize(2);
        assertThat(ids(pages("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('" + ROOM + "')", 1)))
                .containsExactly("room11", "room12", "room21", "room22");
    }

    @Test
    void joinAndMatchResultsPageByIdTuple() {
        List<QueryPage> pages = pages("SELECT F, R FROM DIGITALTWINS F JOIN R RELATED F.contains"
                + " WHERE F.$dtId IN ['floor1', 'floor2']", 1);
        assertThat(pages).hasSize(4);
        assertThat(tuples(pages, "F", "R")).containsExactly("floor1/room11", "floor1/room12", "floor2/room21",
                "floor2/room22");
        assertThat(tuples(pages("SELECT b, x FROM DIGITALTWINS MATCH (b)-[*..3]-(x) WHERE b.$dtId IN ['floor1', 'room21']",
                2), "b", "x")).containsExactlyElementsOf(tuples(pages(
                "SELECT b, x FROM DIGITALTWINS MATCH (b)-[*..3]-(x) WHERE b.$dtId IN ['floor1', 'room21']", 1000), "b", "x"));
        assertThat(relationshipIds(pages("SELECT * FROM RELATIONSHIPS", 3))).hasSize(10).doesNotHaveDuplicates();
    }

    @Test
    void pagingWhileTwinsAreWrittenNeitherRepeatsNorSkipsUnchangedTwins() {
        QueryPage first = engine.execute("SELECT * FROM DIGITALTWINS", null, 3);
        List<String> seen = new ArrayList<>(ids(List.of(first)));
        assertThat(seen).containsExactly("building1", "floor1", "floor2");

        putTwin(newTwin("aaa"));
        putTwin(newTwin("room115"));
        deleteTwin("lobby");
        ObjectNode changed = source().twin("room21");
        changed.put("Temperature", 99);
        putTwin(changed);

        String token = first.continuationToken();
        while (token != null) {
            QueryPage page = engine.execute(null, token, 3);
            seen.addAll(ids(List.of(page)));
            token = page.continuationToken();
            putTwin(newTwin("zzz" + seen.size()));
        }
        assertThat(seen).doesNotHaveDuplicates()
                .containsSubsequence("building1", "floor1", "floor2", "room11", "room12", "room21", "room22",
                        "thermostat11", "thermostat21")
                .doesNotContain("aaa", "lobby");
        assertThat(seen).isSortedAccordingTo(String::compareTo);
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    protected List<QueryPage> pages(String query, int maxItems) {
        List<QueryPage> pages = new ArrayList<>();
        QueryPage page = engine.execute(query, null, maxItems);
        pages.add(page);
        while (page.continuationToken() != null) {
            page = engine.execute(null, page.continuationToken(), maxItems);
            pages.add(page);
        }
        return pages;
    }

    protected static List<QueryPage> pages(QueryEngine engine, String query) {
        return pages(engine, new MeteredGraphSource(null), query, 1000, new ArrayList<>());
    }

    /** Every page of a query, following the tokens; {@code reads} gets the rows each request read from metered. */
    protected static List<QueryPage> pages(QueryEngine engine, MeteredGraphSource metered, String query, int maxItems,
                                           List<Long> reads) {
        reads.clear();
        List<QueryPage> pages = new ArrayList<>();
        String token = null;
        do {
            long before = metered.rowsRead();
            QueryPage page = engine.execute(token == null ? query : null, token, maxItems);
            reads.add(metered.rowsRead() - before);
            pages.add(page);
            token = page.continuationToken();
            assertThat(pages).as("pages of " + query).hasSizeLessThan(200);
        } while (token != null);
        return pages;
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> both = new ArrayList<>(first);
        both.addAll(second);
        return both;
    }

    /** Compares as JSON text, since a store may read 10 back as an int where the engine wrote a long. */
    protected void assertRows(String query, JsonNode expected) {
        assertThat(json(rows(query).toString())).isEqualTo(expected);
    }

    protected List<JsonNode> rows(String query) {
        return pages(query, 1000).stream().flatMap(p -> p.items().stream()).toList();
    }

    protected List<String> ids(String query) {
        return ids(pages(query, 1000));
    }

    protected static List<String> ids(List<QueryPage> pages) {
        return pages.stream().flatMap(p -> p.items().stream()).map(item -> item.get("$dtId").asText()).toList();
    }

    protected List<String> relationshipIds(String query) {
        return relationshipIds(pages(query, 1000));
    }

    protected static List<String> relationshipIds(List<QueryPage> pages) {
        return pages.stream().flatMap(p -> p.items().stream()).map(item -> item.get("$relationshipId").asText())
                .toList();
    }

    /** Each row as its aliases' ids ({@code $dtId} or {@code $relationshipId}) joined with '/'. */
    protected List<String> tuples(String query, String... aliases) {
        return tuples(pages(query, 1000), aliases);
    }

    protected static List<String> tuples(List<QueryPage> pages, String... aliases) {
        return pages.stream().flatMap(p -> p.items().stream()).map(row -> {
            List<String> parts = new ArrayList<>();
            for (String alias : aliases) {
                JsonNode item = row.get(alias);
                parts.add(item.has("$dtId") ? item.get("$dtId").asText() : item.get("$relationshipId").asText());
            }
            return String.join("/", parts);
        }).toList();
    }

    protected static ObjectNode newTwin(String id) {
        ObjectNode twin = MAPPER.createObjectNode().put("$dtId", id).put("$etag", "W/\"new\"");
        twin.putObject("$metadata").put("$model", SPACE).put("$lastUpdateTime", "2024-06-01T00:00:00Z");
        return twin;
    }

    private static JsonNode model(String id, String base) {
        ObjectNode model = MAPPER.createObjectNode().put("@id", id).put("@type", "Interface")
                .put("@context", "dtmi:dtdl:context;2");
        if (base != null) {
            model.put("extends", base);
        }
        model.putArray("contents");
        return model;
    }

    private static ObjectNode relationship(String id, String source, String target, String name, String owner) {
        ObjectNode relationship = MAPPER.createObjectNode().put("$relationshipId", id).put("$etag", "W/\"" + id + "\"")
                .put("$sourceId", source).put("$targetId", target).put("$relationshipName", name);
        if (owner != null) {
            relationship.put("ownershipUser", owner);
        }
        return relationship;
    }

    private static List<ObjectNode> objects(String json) {
        return StreamSupport.stream(json(json).spliterator(), false).map(ObjectNode.class::cast).toList();
    }

    protected static JsonNode json(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(json, e);
        }
    }
}
