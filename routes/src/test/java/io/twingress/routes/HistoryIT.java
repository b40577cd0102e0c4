package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.twingress.Json;
import io.twingress.routes.testing.SharedKafka;
import io.twingress.store.SharedPostgres;

/**
 * Data history through the API on both stores: the default connection historizes every change in ADT's columns,
 * POST /history/query reads it by twin ids or by an ADT query joined with the graph, raw or downsampled, and refuses
 * malformed requests with what is wrong.
 */
class HistoryIT {

    static final String V = "api-version=2023-10-31";
    static final String SPACE = "dtmi:contosocom:DigitalTwins:Space;1";
    static final String THERMOSTAT = "dtmi:contosocom:DigitalTwins:Thermostat;1";
    static final String ALL_TIME = "\"from\":\"2020-01-01T00:00:00Z\",\"to\":\"2099-01-01T00:00:00Z\"";

    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    abstract static class Suite {

        TwingressServer server;
        final HttpClient http = HttpClient.newHttpClient();

        abstract Map<String, String> storeProperties();

        @BeforeAll
        void start() throws Exception {
            Map<String, String> props = new java.util.HashMap<>(storeProperties());
            props.put("twingress.history.feedPeriod", "50");
            props.put("twingress.egress.minTimeToLive", "PT1S");
            server = TwingressServer.start(Files.createTempDirectory("twingress-history-it"), props);
            assertThat(send("POST", "/models?" + V, "[" + resource("space.json") + "," + resource("thermostat.json")
                    + "]").statusCode()).isEqualTo(201);
            put("/digitaltwins/floor1", "{\"$metadata\":{\"$model\":\"" + SPACE + "\"}}");
            put("/digitaltwins/t1", "{\"$metadata\":{\"$model\":\"" + THERMOSTAT + "\"},\"Temperature\":20}");
            put("/digitaltwins/t2", "{\"$metadata\":{\"$model\":\"" + THERMOSTAT + "\"},\"Temperature\":30}");
            put("/digitaltwins/floor1/relationships/f-t1", "{\"$targetId\":\"t1\",\"$relationshipName\":\"contains\","
                    + "\"ownershipUser\":\"ana\"}");
            for (int v = 21; v <= 24; v++) {
                assertThat(send("PATCH", "/digitaltwins/t1?" + V, "[{\"op\":\"replace\",\"path\":\"/Temperature\","
                        + "\"value\":" + v + "},{\"op\":\"add\",\"path\":\"/$metadata/Temperature/sourceTime\","
                        + "\"value\":\"2026-01-01T00:00:0" + (v - 20) + "Z\"}]").statusCode()).isEqualTo(204);
            }
        }

        @AfterAll
        void stop() {
            server.close();
        }

        @Test
        void everyChangeIsHistorizedInAdtsColumns() throws Exception {
            List<JsonNode> rows = awaitRows("{\"twinIds\":[\"t1\"],\"properties\":[\"Temperature\"]," + ALL_TIME + "}",
                    5);
            assertThat(rows).extracting(r -> r.get("Value").asInt()).containsExactly(20, 21, 22, 23, 24);
            JsonNode last = rows.get(4);
            assertThat(last.get("Id").asText()).isEqualTo("t1");
            assertThat(last.get("ModelId").asText()).isEqualTo(THERMOSTAT);
            assertThat(last.get("Key").asText()).isEqualTo("Temperature");
            assertThat(last.get("ServiceId").asText()).isEqualTo("localhost");
            assertThat(last.get("SourceTimeStamp").asText()).isEqualTo("2026-01-01T00:00:04.000000000Z");
            assertThat(last.has("TimeStamp") && last.has("RelationshipTarget") && last.has("RelationshipId")).isTrue();
            assertThat(last.has("Action")).as("only with recordPropertyAndItemRemovals").isFalse();

            List<JsonNode> relationship = awaitRows("{\"twinIds\":[\"floor1\"]," + ALL_TIME + "}", 1);
            assertThat(relationship.get(0).get("Key").asText()).isEqualTo("ownershipUser");
            assertThat(relationship.get(0).get("RelationshipTarget").asText()).isEqualTo("t1");
            assertThat(relationship.get(0).get("RelationshipId").asText()).isEqualTo("f-t1");
        }

        @Test
        void anAdtQueryChoosesTheTwinsAndRowsCanBeDownsampled() throws Exception {
            String query = "SELECT T.$dtId AS tid FROM DIGITALTWINS F JOIN T RELATED F.contains WHERE F.$dtId = 'floor1'";
            List<JsonNode> raw = awaitRows("{\"query\":" + Json.MAPPER.writeValueAsString(query)
                    + ",\"properties\":[\"Temperature\"]," + ALL_TIME + "}", 5);
            assertThat(raw).extracting(r -> r.get("Id").asText()).containsOnly("t1");
            // whole twins name themselves; rows that hold no twin are refused, not read as none
            String whole = "SELECT T FROM DIGITALTWINS T WHERE T.$dtId = 't1'";
            assertThat(awaitRows("{\"query\":" + Json.MAPPER.writeValueAsString(whole)
                    + ",\"properties\":[\"Temperature\"]," + ALL_TIME + "}", 5)).extracting(r -> r.get("Id").asText())
                    .containsOnly("t1");
            assertError(send("POST", "/history/query?" + V, "{\"query\":\"SELECT T.Temperature FROM DIGITALTWINS T"
                    + " WHERE T.$dtId = 't1'\"," + ALL_TIME + "}"), "rows name no twin");

            JsonNode daily = Json.parse(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\",\"t2\"],"
                    + "\"properties\":[\"Temperature\"]," + ALL_TIME + ",\"interval\":\"P36500D\",\"aggregate\":\"max\"}")
                    .body());
            Map<String, Integer> byTwin = new java.util.TreeMap<>();
            daily.get("value").forEach(r -> byTwin.put(r.get("Id").asText(), r.get("Value").asInt()));
            assertThat(byTwin).containsEntry("t1", 24).containsEntry("t2", 30);
            JsonNode average = Json.parse(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"],"
                    + "\"properties\":[\"Temperature\"]," + ALL_TIME + ",\"interval\":\"P36500D\",\"aggregate\":\"avg\"}")
                    .body()).get("value").get(0);
            assertThat(average.get("Value").asDouble()).isEqualTo(22.0);
            assertThat(average.get("Count").asInt()).isEqualTo(5);
        }

        @Test
        void pagesContinueWithTheToken() throws Exception {
            awaitRows("{\"twinIds\":[\"t1\"],\"properties\":[\"Temperature\"]," + ALL_TIME + "}", 5);
            List<Integer> values = new ArrayList<>();
            String token = null;
            do {
                String body = "{\"twinIds\":[\"t1\"],\"properties\":[\"Temperature\"]," + ALL_TIME
                        + (token == null ? "" : ",\"continuationToken\":\"" + token + "\"") + "}";
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                        + "/history/query?" + V)).header("Content-Type", "application/json")
                        .header("max-items-per-page", "2").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonNode page = Json.parse(response.body());
                assertThat(page.get("value").size()).isLessThanOrEqualTo(2);
                page.get("value").forEach(r -> values.add(r.get("Value").asInt()));
                token = page.get("continuationToken").isNull() ? null : page.get("continuationToken").asText();
            } while (token != null);
            assertThat(values).containsExactly(20, 21, 22, 23, 24);
            // RFC 3339 allows a lower-case t and z
            HttpResponse<String> lower = send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"],\"properties\":"
                    + "[\"Temperature\"],\"from\":\"2020-01-01t00:00:00z\",\"to\":\"2099-01-01t00:00:00z\"}");
            assertThat(lower.statusCode()).as(lower.body()).isEqualTo(200);
            assertThat(Json.parse(lower.body()).get("value")).hasSize(5);
        }

        @Test
        void malformedRequestsSayWhatIsWrong() throws Exception {
            assertError(send("POST", "/history/query?" + V, "{" + ALL_TIME + "}"), "twinIds");
            assertError(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"]," + ALL_TIME
                    + ",\"aggregate\":\"max\"}"), "aggregate needs an interval");
            assertError(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"],\"from\":\"yesterday\","
                    + "\"to\":\"2099-01-01T00:00:00Z\"}"), "RFC 3339");
            assertError(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"]," + ALL_TIME
                    + ",\"interval\":\"P1D\",\"aggregate\":\"median\"}"), "median");
            assertError(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"],\"from\":\"2030-01-01T00:00:00Z\","
                    + "\"to\":\"2020-01-01T00:00:00Z\"}"), "before");
            assertError(send("PUT", "/historyconnections/adx-one?" + V, "{\"properties\":{\"connectionType\":"
                    + "\"AzureDataExplorer\"}}"), "Embedded");
            assertError(send("PUT", "/historyconnections/hc-nine?" + V, "{\"name\":\"other\",\"properties\":"
                    + "{\"connectionType\":\"Embedded\"}}"), "differs");
            assertError(send("PUT", "/historyconnections/hc-nine?" + V, "{\"bogus\":1,\"properties\":"
                    + "{\"connectionType\":\"Embedded\"}}"), "bogus is not a member");
            // a misspelled field, a range or interval whose nanoseconds overflow, a made-up page: 400, not 500
            assertError(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"]," + ALL_TIME
                    + ",\"propertys\":[\"Temperature\"]}"), "propertys is not a field");
            assertError(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"],\"from\":\"0001-01-01T00:00:00Z\","
                    + "\"to\":\"9999-01-01T00:00:00Z\",\"interval\":\"PT1H\"}"), "200 years");
            assertError(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"]," + ALL_TIME
                    + ",\"interval\":\"PT10000000000H\"}"), "200 years");
            String negative = Base64.getUrlEncoder().withoutPadding().encodeToString(
                    "twingress-page /history/query\n-5".getBytes(StandardCharsets.UTF_8));
            assertError(send("POST", "/history/query?" + V, "{\"twinIds\":[\"t1\"]," + ALL_TIME
                    + ",\"interval\":\"PT1H\",\"continuationToken\":\"" + negative + "\"}"), "not one this server");
        }

        @Test
        void connectionsHaveAdtsShapeAndRemovalsAreRecordedWhenAsked() throws Exception {
            JsonNode list = Json.parse(send("GET", "/historyconnections?" + V, null).body());
            assertThat(list.get("value").get(0).at("/properties/adxTableName").asText()).isEqualTo("AdtPropertyEvents");
            HttpResponse<String> created = send("PUT", "/historyconnections/with-removals?" + V, "{\"properties\":{"
                    + "\"connectionType\":\"Embedded\",\"recordPropertyAndItemRemovals\":\"true\","
                    + "\"retention\":{\"AdtPropertyEvents\":\"P7D\"}}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            assertThat(send("PATCH", "/digitaltwins/t2?" + V, "[{\"op\":\"remove\",\"path\":\"/Temperature\"}]")
                    .statusCode()).isEqualTo(204);
            List<JsonNode> rows = awaitRows("{\"connection\":\"with-removals\",\"twinIds\":[\"t2\"]," + ALL_TIME + "}",
                    1);
            assertThat(rows.get(0).get("Action").asText()).isEqualTo("Remove");
            assertThat(rows.get(0).get("Value").isNull()).isTrue();
            assertThat(send("DELETE", "/historyconnections/with-removals?" + V, null).statusCode()).isEqualTo(204);
            HttpResponse<String> gone = send("GET", "/historyconnections/with-removals?" + V, null);
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(Json.parse(gone.body()).at("/error/code").asText()).isEqualTo("HistoryConnectionNotFound");
        }

        @Test
        void aConnectionDeletedAndMadeAgainHistorizesFromItsNewStart() throws Exception {
            put("/digitaltwins/t3", "{\"$metadata\":{\"$model\":\"" + THERMOSTAT + "\"}}");
            String connection = "{\"properties\":{\"connectionType\":\"Embedded\"}}";
            String rowsOfT3 = "{\"connection\":\"again\",\"twinIds\":[\"t3\"],\"properties\":[\"Temperature\"],"
                    + ALL_TIME + "}";
            assertThat(send("PUT", "/historyconnections/again?" + V, connection).statusCode()).isEqualTo(200);
            setTemperature("t3", 41);
            awaitRows(rowsOfT3, 1);
            assertThat(send("DELETE", "/historyconnections/again?" + V, null).statusCode()).isEqualTo(204);
            setTemperature("t3", 42);
            assertThat(send("PUT", "/historyconnections/again?" + V, connection).statusCode()).isEqualTo(200);
            setTemperature("t3", 43);
            // the change made while the connection was gone is not historized, before or after it came back
            List<JsonNode> rows = awaitRows(rowsOfT3, 2);
            Thread.sleep(300);
            rows = awaitRows(rowsOfT3, 2);
            assertThat(rows).extracting(r -> r.get("Value").asInt()).containsExactly(41, 43);
            assertThat(send("DELETE", "/historyconnections/again?" + V, null).statusCode()).isEqualTo(204);
        }

        void setTemperature(String twin, int value) throws Exception {
            assertThat(send("PATCH", "/digitaltwins/" + twin + "?" + V, "[{\"op\":\"add\",\"path\":\"/Temperature\","
                    + "\"value\":" + value + "}]").statusCode()).isEqualTo(204);
        }

        @Test
        void selectedTelemetryIsHistorizedInItsOwnTable() throws Exception {
            HttpResponse<String> created = send("PUT", "/historyconnections/with-telemetry?" + V, "{\"properties\":{"
                    + "\"connectionType\":\"Embedded\",\"telemetry\":[{\"modelId\":\"" + THERMOSTAT + "\","
                    + "\"names\":[\"Humidity\"]}],\"retention\":{\"AdtTelemetryEvents\":\"P1D\"}}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            assertThat(Json.parse(created.body()).at("/properties/adxTelemetryEventsTableName").asText())
                    .isEqualTo("AdtTelemetryEvents");
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> sent = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                        + "/digitaltwins/t2/telemetry?" + V)).header("Content-Type", "application/json")
                        .header("Message-Id", "m" + i).header("Telemetry-Source-Time", "2026-02-01T00:00:0" + i + "Z")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"Humidity\":" + (50 + i) + ",\"Vibration\":1}"))
                        .build(), HttpResponse.BodyHandlers.ofString());
                assertThat(sent.statusCode()).as(sent.body()).isEqualTo(204);
            }
            String request = "{\"connection\":\"with-telemetry\",\"table\":\"AdtTelemetryEvents\","
                    + "\"twinIds\":[\"t2\"]," + ALL_TIME + "}";
            List<JsonNode> rows = awaitRows(request, 3);
            assertThat(rows).hasSize(3);
            assertThat(rows).extracting(r -> r.get("Key").asText()).containsOnly("Humidity");
            assertThat(rows).extracting(r -> r.get("Value").asInt()).containsExactly(50, 51, 52);
            assertThat(rows.get(0).get("SourceTimeStamp").asText()).isEqualTo("2026-02-01T00:00:00.000000000Z");
            assertThat(rows.get(0).get("ModelId").asText()).isEqualTo(THERMOSTAT);
            assertThat(rows.get(0).has("RelationshipId")).isFalse();
            // the property table of the same connection holds no telemetry
            HttpResponse<String> properties = send("POST", "/history/query?" + V, "{\"connection\":\"with-telemetry\","
                    + "\"twinIds\":[\"t2\"],\"properties\":[\"Humidity\"]," + ALL_TIME + "}");
            assertThat(Json.parse(properties.body()).get("value")).isEmpty();
            // downsampled like properties
            JsonNode average = Json.parse(send("POST", "/history/query?" + V, request.replace("}",
                    ",\"interval\":\"P1D\",\"aggregate\":\"avg\"}")).body()).get("value");
            assertThat(average).hasSize(1);
            assertThat(average.get(0).get("Value").asDouble()).isEqualTo(51.0);
            assertError(send("POST", "/history/query?" + V, request.replace("AdtTelemetryEvents", "Nope")),
                    "AdtTelemetryEvents");
            assertThat(send("DELETE", "/historyconnections/with-telemetry?" + V, null).statusCode()).isEqualTo(204);
        }

        @Test
        void aKafkaSinkCarriesRowsAsAzureDataExplorerIngestsThem() throws Exception {
            String topic = SharedKafka.newTopic("history", 1);
            HttpResponse<String> created = send("PUT", "/historyconnections/to-adx?" + V, "{\"properties\":{"
                    + "\"connectionType\":\"Kafka\",\"bootstrapServers\":\"" + SharedKafka.saslBootstrapServers()
                    + "\",\"topic\":\"" + topic + "\",\"securityProtocol\":\"SASL_PLAINTEXT\","
                    + "\"saslMechanism\":\"PLAIN\",\"saslUsername\":\"" + SharedKafka.SASL_USER + "\","
                    + "\"saslPassword\":\"" + SharedKafka.SASL_PASSWORD + "\"}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            assertThat(created.body()).doesNotContain(SharedKafka.SASL_PASSWORD);
            assertThat(Json.parse(created.body()).at("/properties/saslPassword").isNull()).isTrue();
            put("/digitaltwins/k1", "{\"$metadata\":{\"$model\":\"" + THERMOSTAT + "\"},\"Temperature\":1}");
            assertThat(send("PATCH", "/digitaltwins/k1?" + V, "[{\"op\":\"replace\",\"path\":\"/Temperature\","
                    + "\"value\":2}]").statusCode()).isEqualTo(204);
            put("/digitaltwins/floor1/relationships/f-k1", "{\"$targetId\":\"k1\",\"$relationshipName\":"
                    + "\"contains\"}");
            Map<String, List<JsonNode>> byTable = new java.util.HashMap<>();
            SharedKafka.consumeUntil(topic, records -> {
                byTable.clear();
                for (var record : records) {
                    Map<String, String> headers = SharedKafka.headers(record);
                    assertThat(headers.get("Format")).isEqualTo("json");
                    assertThat(headers.get("IngestionMappingReference")).isEqualTo(headers.get("Table") + "_mapping");
                    record.value().lines().forEach(line -> byTable.computeIfAbsent(headers.get("Table"),
                            t -> new ArrayList<>()).add(Json.parse(line)));
                }
                return byTable.size() == 3 && byTable.get("AdtPropertyEvents").size() >= 2;
            }, Duration.ofSeconds(30));
            assertThat(byTable).containsOnlyKeys("AdtPropertyEvents", "AdtTwinLifeCycleEvents",
                    "AdtRelationshipLifeCycleEvents");
            assertThat(byTable.get("AdtPropertyEvents")).extracting(r -> r.get("Id").asText() + "."
                    + r.get("Key").asText() + "=" + r.get("Value")).containsExactly("k1.Temperature=1",
                    "k1.Temperature=2");
            JsonNode property = byTable.get("AdtPropertyEvents").get(1);
            assertThat(property.fieldNames()).toIterable().containsExactly("TimeStamp", "SourceTimeStamp",
                    "ServiceId", "Id", "ModelId", "Key", "Value", "RelationshipTarget", "RelationshipId");
            assertThat(property.get("ModelId").asText()).isEqualTo(THERMOSTAT);
            JsonNode twin = byTable.get("AdtTwinLifeCycleEvents").get(0);
            assertThat(twin.fieldNames()).toIterable().containsExactly("TwinId", "Action", "TimeStamp", "ServiceId",
                    "ModelId");
            assertThat(twin.get("Action").asText()).isEqualTo("Create");
            JsonNode relationship = byTable.get("AdtRelationshipLifeCycleEvents").get(0);
            assertThat(relationship.fieldNames()).toIterable().containsExactly("RelationshipId", "Name", "Action",
                    "TimeStamp", "ServiceId", "Source", "Target");
            assertThat(relationship.get("Source").asText() + "->" + relationship.get("Target").asText())
                    .isEqualTo("floor1->k1");
            assertError(send("POST", "/history/query?" + V, "{\"connection\":\"to-adx\",\"twinIds\":[\"k1\"],"
                    + ALL_TIME + "}"), "Azure Data Explorer");
            assertThat(send("DELETE", "/historyconnections/to-adx?" + V, null).statusCode()).isEqualTo(204);
        }

        @Test
        void aKafkaSinkThatKeepsFailingDeadLettersItsRowsToFilesAndGoesOn() throws Exception {
            // relative to twingress.egress.deadLetterDirectory, data/deadletters by default
            java.nio.file.Path deadLetters = server.dataDir().resolve("deadletters").resolve("history-dl");
            HttpResponse<String> created = send("PUT", "/historyconnections/refused?" + V, "{\"properties\":{"
                    + "\"connectionType\":\"Kafka\",\"bootstrapServers\":\"" + SharedKafka.saslBootstrapServers()
                    + "\",\"topic\":\"refused\",\"securityProtocol\":\"SASL_PLAINTEXT\","
                    + "\"saslUsername\":\"" + SharedKafka.SASL_USER + "\",\"saslPassword\":\"wrong\","
                    + "\"retryPolicy\":{\"timeToLive\":\"PT2S\",\"initialDelay\":\"PT0.2S\"},"
                    + "\"deadLetter\":{\"type\":\"Files\",\"directory\":\"history-dl\"}}}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
            put("/digitaltwins/dl1", "{\"$metadata\":{\"$model\":\"" + THERMOSTAT + "\"},\"Temperature\":7}");
            // the property rows and the lifecycle rows may come in files of their own, written one after the other
            String rows = "";
            long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!(rows.contains("\"Id\":\"dl1\",") && rows.contains("\"TwinId\":\"dl1\""))
                    && System.nanoTime() < end) {
                Thread.sleep(200);
                StringBuilder read = new StringBuilder();
                if (Files.isDirectory(deadLetters)) {
                    try (var walk = Files.walk(deadLetters)) {
                        for (java.nio.file.Path f : walk.filter(Files::isRegularFile).toList()) {
                            read.append(Files.readString(f));
                        }
                    }
                }
                rows = read.toString();
            }
            assertThat(rows).as("dead-letter files under " + deadLetters).contains("\"Id\":\"dl1\",")
                    .contains("\"TwinId\":\"dl1\"");
            assertThat(send("DELETE", "/historyconnections/refused?" + V, null).statusCode()).isEqualTo(204);
        }

        List<JsonNode> awaitRows(String request, int count) throws Exception {
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            List<JsonNode> rows = new ArrayList<>();
            while (System.nanoTime() < end) {
                rows.clear();
                HttpResponse<String> response = send("POST", "/history/query?" + V, request);
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                Json.parse(response.body()).get("value").forEach(rows::add);
                if (rows.size() >= count) {
                    return rows;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("expected " + count + " history rows for " + request + ", got " + rows);
        }

        void assertError(HttpResponse<String> response, String mention) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
            assertThat(Json.parse(response.body()).at("/error/message").asText()).contains(mention);
        }

        void put(String path, String body) throws Exception {
            HttpResponse<String> response = send("PUT", path + "?" + V, body);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }

        String resource(String name) throws Exception {
            return new String(HistoryIT.class.getResourceAsStream("/models/" + name).readAllBytes(),
                    StandardCharsets.UTF_8);
        }

        HttpResponse<String> send(String method, String path, String body) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    @Nested
    class OnSqlite extends Suite {
        @Override
        Map<String, String> storeProperties() {
            return Map.of();
        }

        @Test
        void theRowsAreKeptInTheHistoryFileApartFromTheTwins() throws Exception {
            awaitRows("{\"twinIds\":[\"t1\"],\"properties\":[\"Temperature\"]," + ALL_TIME + "}", 5);
            assertThat(propertyRows(server.dataDir().resolve("twingress-history.db"))).isGreaterThanOrEqualTo(5);
            assertThat(propertyRows(server.dataDir().resolve("twingress.db"))).isZero();
        }

        @Test
        void anIdleFeedDoesNotWriteEveryPeriod() throws Exception {
            awaitRows("{\"twinIds\":[\"t1\"],\"properties\":[\"Temperature\"]," + ALL_TIME + "}", 5);
            Thread.sleep(500);
            long before = historyCommits();
            // twenty feed periods of 50 ms with nothing to historize: at most a lease renewal and a retention round
            Thread.sleep(1000);
            assertThat(historyCommits() - before).isLessThanOrEqualTo(2);
        }

        long historyCommits() throws Exception {
            String metrics = http.send(HttpRequest.newBuilder(URI.create(server.managementUrl() + "/observe/metrics"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                    "(?m)^twingress_store_commit_seconds_count\\{store=\"twingress-sqlite-history\",?\\} (\\S+)$")
                    .matcher(metrics);
            assertThat(m.find()).as(metrics).isTrue();
            return (long) Double.parseDouble(m.group(1));
        }

        long propertyRows(java.nio.file.Path file) throws Exception {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + file);
                    java.sql.ResultSet rs = c.createStatement().executeQuery(
                            "SELECT count(*) FROM history_property_events")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Nested
    class OnPostgresql extends Suite {
        @Override
        Map<String, String> storeProperties() {
            return Map.of("twingress.store.type", "postgresql",
                    "twingress.store.postgresql.url", SharedPostgres.createDatabase(),
                    "twingress.store.postgresql.user", SharedPostgres.USER,
                    "twingress.store.postgresql.password", SharedPostgres.PASSWORD);
        }
    }
}
