package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.routes.testing.SharedKafka;
import io.twingress.routes.testing.SharedMqtt;

/**
 * Ingress end to end with real connectors: device messages for ADT's sample graph (floor1 contains room21 contains
 * thermostat67 and thermostat68) arrive through a real Kafka broker (over SASL with an Event Hubs login), a real MQTT
 * broker, IoT Hub's device HTTP path and a webhook; the default mapping and the rules file update the twins, and the
 * propagations roll the readings up to the room and the floor, checked through the REST API.
 */
class IngressIT {

    static final String V = "api-version=2023-10-31";
    static final String SPACE = "dtmi:contosocom:DigitalTwins:Space;1";
    static final String THERMOSTAT = "dtmi:contosocom:DigitalTwins:Thermostat;1";
    static final HttpClient HTTP = HttpClient.newHttpClient();

    static TwingressServer server;
    static String topic;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("twingress-ingress-it");
        Path rules = dir.resolve("rules.yaml");
        Files.writeString(rules, """
                mappings:
                  - id: vendor-x
                    match: "$.payload.temp"
                    twin: "${header.TwingressIngressDeviceId}"
                    set:
                      Temperature: "$.payload.temp"
                      DisplayName: "$.payload.label"
                propagations:
                  - id: room-from-thermostats
                    model: "%s"
                    property: Temperature
                    relationship: { name: contains, direction: incoming }
                    set: { property: Temperature, aggregate: avg }
                  - id: floor-from-rooms
                    model: "%s"
                    property: Temperature
                    relationship: { name: contains, direction: incoming }
                    set: { property: Temperature, aggregate: max }
                """.formatted(THERMOSTAT, SPACE));
        topic = SharedKafka.newTopic("ingress", 3);
        Map<String, String> props = new HashMap<>();
        props.put("twingress.ingress.rulesFile", rules.toString());
        props.put("twingress.ingress.webhooks", "vendor=header:X-Device-Id");
        props.put("twingress.ingress.kafka.enabled", "true");
        props.put("twingress.ingress.kafka.brokers", SharedKafka.saslBootstrapServers());
        props.put("twingress.ingress.kafka.topics", topic);
        props.put("twingress.ingress.kafka.groupId", "ingress-it-" + UUID.randomUUID());
        props.put("twingress.ingress.kafka.securityProtocol", "SASL_PLAINTEXT");
        props.put("twingress.ingress.kafka.saslJaasConfig", "org.apache.kafka.common.security.plain.PlainLoginModule"
                + " required username=\"$ConnectionString\" password=\"" + SharedKafka.eventHubsConnectionString()
                + "\";");
        props.put("twingress.ingress.mqtt.enabled", "true");
        props.put("twingress.ingress.mqtt.brokerUrl", SharedMqtt.url());
        props.put("twingress.ingress.mqtt.clientId", "ingress-it-" + UUID.randomUUID());
        server = TwingressServer.start(dir, props);

        assertThat(send("POST", "/models?" + V, "[" + resource("space.json") + "," + resource("thermostat.json") + "]",
                Map.of()).statusCode()).isEqualTo(201);
        putTwin("floor1", SPACE);
        putTwin("room21", SPACE);
        putTwin("thermostat67", THERMOSTAT);
        putTwin("thermostat68", THERMOSTAT);
        relate("floor1", "room21");
        relate("room21", "thermostat67");
        relate("room21", "thermostat68");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void kafkaMessagesUpdateTwinsAndRollUpToTheRoomAndTheFloor() throws Exception {
        SharedKafka.produce(SharedKafka.eventHubsClientProperties(), topic, "thermostat67", "{\"Temperature\":70.2}",
                Map.of());
        awaitTwin("thermostat67", t -> t.path("Temperature").asDouble() == 70.2);
        SharedKafka.produce(SharedKafka.eventHubsClientProperties(), topic, "thermostat68",
                "{\"Temperature\":\"71.8\"}", Map.of("iothub-creation-time-utc", "2026-01-01T10:00:00Z"));
        JsonNode t68 = awaitTwin("thermostat68", t -> t.path("Temperature").asDouble() == 71.8);
        assertThat(t68.at("/$metadata/Temperature/sourceTime").asText()).isEqualTo("2026-01-01T10:00:00Z");
        awaitTwin("room21", t -> t.path("Temperature").asDouble() == 71.0);
        awaitTwin("floor1", t -> t.path("Temperature").asDouble() == 71.0);
    }

    @Test
    void aRelationshipDeletedOverTheApiTakesItsTwinOutOfTheRoomsAverage() throws Exception {
        putTwin("room99", SPACE);
        putTwin("thermostat91", THERMOSTAT);
        putTwin("thermostat92", THERMOSTAT);
        relate("room99", "thermostat91");
        relate("room99", "thermostat92");
        assertThat(send("POST", "/devices/thermostat91/messages/events", "{\"Temperature\":10}", Map.of())
                .statusCode()).isEqualTo(204);
        assertThat(send("POST", "/devices/thermostat92/messages/events", "{\"Temperature\":20}", Map.of())
                .statusCode()).isEqualTo(204);
        assertThat(twin("room99").get("Temperature").asDouble()).isEqualTo(15);
        assertThat(send("DELETE", "/digitaltwins/room99/relationships/room99-thermostat91?" + V, null, Map.of())
                .statusCode()).isEqualTo(204);
        assertThat(twin("room99").get("Temperature").asDouble()).isEqualTo(20);
    }

    @Test
    void aKafkaRecordFromIotHubTakesItsDeviceTimeAndEncodingFromItsHeaders() throws Exception {
        // as Event Hubs' Kafka endpoint delivers IoT Hub's messages: the key is not the device, the body is base64
        String body = Base64.getEncoder().encodeToString("{\"Temperature\":64.5}".getBytes(StandardCharsets.UTF_8));
        SharedKafka.produce(SharedKafka.eventHubsClientProperties(), topic, "partition-key-7", body,
                Map.of("iothub-connection-device-id", "thermostat68", "iothub-contentencoding", "base64",
                        "iothub-creation-time-utc", "2026-02-03T04:05:06.789Z", "content-type", "application/json"));
        JsonNode t68 = awaitTwin("thermostat68", t -> t.path("Temperature").asDouble() == 64.5);
        assertThat(t68.at("/$metadata/Temperature/sourceTime").asText()).isEqualTo("2026-02-03T04:05:06.789Z");
    }

    @Test
    void aPoisonMessageIsDeadLetteredAndTheStreamGoesOn() throws Exception {
        SharedKafka.produce(SharedKafka.eventHubsClientProperties(), topic, "ghost-1", "{\"Temperature\":1}",
                Map.of());
        SharedKafka.produce(SharedKafka.eventHubsClientProperties(), topic, "thermostat67", "not json", Map.of());
        SharedKafka.produce(SharedKafka.eventHubsClientProperties(), topic, "thermostat67",
                "{\"Temperature\":\"warm\"}", Map.of());
        SharedKafka.produce(SharedKafka.eventHubsClientProperties(), topic, "thermostat67", "{\"Temperature\":55}",
                Map.of());
        awaitTwin("thermostat67", t -> t.path("Temperature").asDouble() == 55);
        JsonNode letters = Json.parse(send("GET", "/ingress/deadletters?" + V, null, Map.of()).body()).get("value");
        String reasons = letters.toString();
        assertThat(reasons).contains("twin ghost-1 (the device id) does not exist", "not JSON", "ValidationFailed");
        JsonNode ghost = null;
        for (JsonNode letter : letters) {
            if ("ghost-1".equals(letter.path("deviceId").asText())) {
                ghost = letter;
            }
        }
        assertThat(ghost).isNotNull();
        assertThat(ghost.get("source").asText()).isEqualTo("kafka:" + topic);
        assertThat(ghost.at("/message/body").asText()).isEqualTo("{\"Temperature\":1}");

        // a misspelled body, or an id that is not a whole number, is refused rather than read as "all"
        for (String body : List.of("{\"idz\":[1]}", "[1]", "{\"ids\":null}", "{\"ids\":[1.7]}",
                "{\"ids\":[1],\"all\":true}")) {
            HttpResponse<String> refused = send("POST", "/ingress/deadletters:purge?" + V, body, Map.of());
            assertThat(refused.statusCode()).as(body).isEqualTo(400);
            assertThat(Json.parse(refused.body()).at("/error/code").asText()).isEqualTo("InvalidArgument");
        }
        // nor are ids given as query parameters, with no body
        HttpResponse<String> inQuery = send("POST", "/ingress/deadletters:purge?ids=" + ghost.get("id").asLong() + "&"
                + V, null, Map.of());
        assertThat(inQuery.statusCode()).isEqualTo(400);
        assertThat(inQuery.body()).contains("takes no query parameter but api-version, not ids");
        assertThat(send("GET", "/ingress/deadletters/" + ghost.get("id").asLong() + "?" + V, null, Map.of())
                .statusCode()).as("still there").isEqualTo(200);
        assertThat(send("GET", "/ingress/deadletters/0" + ghost.get("id").asLong() + "?" + V, null, Map.of())
                .statusCode()).as("an id as the list writes it, not with a leading zero").isEqualTo(404);
        HttpResponse<String> madeUp = send("GET", "/ingress/deadletters?continuationToken=Z2FyYmFnZQ&" + V, null,
                Map.of());
        assertThat(madeUp.statusCode()).isEqualTo(400);
        assertThat(madeUp.body()).contains("not one this server issued");

        // the twin appears; replayed, the message applies
        putTwin("ghost-1", THERMOSTAT);
        HttpResponse<String> replay = send("POST", "/ingress/deadletters:replay?" + V, "{\"ids\":["
                + ghost.get("id").asLong() + "]}", Map.of());
        assertThat(Json.parse(replay.body())).isEqualTo(Json.parse(
                "{\"count\":1,\"applied\":1,\"duplicates\":0,\"deadLettered\":0}"));
        awaitTwin("ghost-1", t -> t.path("Temperature").asDouble() == 1);
        assertThat(send("GET", "/ingress/deadletters/" + ghost.get("id").asLong() + "?" + V, null, Map.of())
                .statusCode()).isEqualTo(404);
        // a message that still cannot be applied stays the same dead letter, its replay counted, and the reply says so
        long notJson = -1;
        for (JsonNode letter : letters) {
            if (letter.path("reason").asText().contains("not JSON")) {
                notJson = letter.get("id").asLong();
            }
        }
        HttpResponse<String> again = send("POST", "/ingress/deadletters:replay?" + V, "{\"ids\":[" + notJson + "]}",
                Map.of());
        assertThat(Json.parse(again.body())).isEqualTo(Json.parse(
                "{\"count\":1,\"applied\":0,\"duplicates\":0,\"deadLettered\":1}"));
        JsonNode kept = Json.parse(send("GET", "/ingress/deadletters/" + notJson + "?" + V, null, Map.of()).body());
        assertThat(kept.get("replays").asInt()).isEqualTo(1);
        assertThat(kept.get("lastReplayedTime").asText()).isNotBlank();
        assertThat(kept.get("reason").asText()).contains("not JSON");
    }

    @Test
    void mqttMessagesTakeTheDeviceIdFromTheTopic() throws Exception {
        MqttClient device = new MqttClient(SharedMqtt.url(), "device-" + UUID.randomUUID(), new MemoryPersistence());
        device.connect(new MqttConnectionOptions());
        try {
            device.publish("devices/thermostat68/messages/events/", new MqttMessage(
                    "{\"Temperature\":60,\"FirmwareVersion\":\"1.2\"}".getBytes(StandardCharsets.UTF_8), 1, false,
                    null));
            JsonNode twin = awaitTwin("thermostat68", t -> t.path("Temperature").asDouble() == 60);
            assertThat(twin.get("FirmwareVersion").asText()).isEqualTo("1.2");
        } finally {
            device.disconnect();
            device.close();
        }
    }

    @Test
    void httpDevicesAndWebhooksAreAnsweredAfterTheCommitAndDuplicatesAreDropped() throws Exception {
        String base64 = Base64.getEncoder().encodeToString("{\"ComfortIndex\":0.8}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> device = send("POST", "/devices/room21/messages/events?api-version=2020-03-13", base64,
                Map.of("iothub-contentencoding", "base64", "iothub-messageid", "http-1"));
        assertThat(device.statusCode()).as(device.body()).isEqualTo(204);
        JsonNode room = twin("room21");
        assertThat(room.get("ComfortIndex").asDouble()).isEqualTo(0.8);
        String etag = room.get("$etag").asText();
        HttpResponse<String> again = send("POST", "/devices/room21/messages/events", "{\"ComfortIndex\":0.1}",
                Map.of("iothub-messageid", "http-1"));
        assertThat(again.statusCode()).isEqualTo(204);
        assertThat(twin("room21").get("$etag").asText()).as("the resent message was dropped").isEqualTo(etag);

        HttpResponse<String> hook = send("POST", "/ingress/webhooks/vendor", "{\"payload\":{\"temp\":\"42.5\","
                + "\"label\":\"hall\"}}", Map.of("X-Device-Id", "thermostat67"));
        assertThat(hook.statusCode()).as(hook.body()).isEqualTo(204);
        JsonNode t67 = twin("thermostat67");
        assertThat(t67.get("Temperature").asDouble()).isEqualTo(42.5);
        assertThat(t67.get("DisplayName").asText()).isEqualTo("hall");

        HttpResponse<String> refused = send("POST", "/devices/room21/messages/events", "{\"Nothing\":1}", Map.of());
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(Json.parse(refused.body()).at("/error/message").asText()).contains("nothing in the message");
        assertThat(Json.parse(refused.body()).at("/error/code").asText()).isEqualTo("InvalidArgument");
        // the answer says which: a twin that does not exist, a value the model refuses
        HttpResponse<String> noTwin = send("POST", "/devices/no-such-twin/messages/events", "{\"x\":1}", Map.of());
        assertThat(noTwin.statusCode()).isEqualTo(404);
        assertThat(Json.parse(noTwin.body()).at("/error/code").asText()).isEqualTo("DigitalTwinNotFound");
        HttpResponse<String> badValue = send("POST", "/devices/room21/messages/events", "{\"ComfortIndex\":\"x\"}",
                Map.of());
        assertThat(badValue.statusCode()).isEqualTo(400);
        assertThat(Json.parse(badValue.body()).at("/error/code").asText()).isEqualTo("ValidationFailed");
        HttpResponse<String> noWebhook = send("POST", "/ingress/webhooks/unknown", "{}", Map.of());
        assertThat(noWebhook.statusCode()).isEqualTo(404);
        assertThat(Json.parse(noWebhook.body()).at("/error/code").asText()).isEqualTo("WebhookNotFound");
        // two device ids where the webhook looks: refused, not one of them picked
        HttpResponse<String> twoDevices = HTTP.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                + "/ingress/webhooks/vendor")).header("Content-Type", "application/json")
                .header("X-Device-Id", "thermostat67").header("X-Device-Id", "room21")
                .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":{\"temp\":1}}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(twoDevices.statusCode()).isEqualTo(400);
        assertThat(Json.parse(twoDevices.body()).at("/error/message").asText()).contains("more than one device");
        assertThat(twin("thermostat67").get("Temperature").asDouble()).isEqualTo(42.5);

        // a form (curl -d's default type) is decoded by the server, so what was sent is gone: refused, not applied
        String before = twin("room21").get("$etag").asText();
        HttpResponse<String> form = send("POST", "/devices/room21/messages/events", "{\"ComfortIndex\":0.5}",
                Map.of("Content-Type", "application/x-www-form-urlencoded"));
        assertThat(form.statusCode()).isEqualTo(400);
        assertThat(form.body()).contains("not application/x-www-form-urlencoded");
        assertThat(twin("room21").get("$etag").asText()).isEqualTo(before);

        // a message over twingress.ingress.http.maxMessageSize (IoT Hub's 256 KiB) is refused, not kept whole
        HttpResponse<String> big = send("POST", "/devices/room21/messages/events", "{\"ComfortIndex\":0.5,\"pad\":\""
                + "x".repeat(300 * 1024) + "\"}", Map.of());
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(Json.parse(big.body()).at("/error/code").asText()).isEqualTo("PayloadTooLarge");

        // a webhook request with no device id where the webhook looks is kept in the dead letters, not only refused
        HttpResponse<String> nameless = send("POST", "/ingress/webhooks/vendor", "{\"payload\":{\"temp\":1}}",
                Map.of("Message-Id", "nameless-1"));
        assertThat(nameless.statusCode()).isEqualTo(400);
        assertThat(Json.parse(nameless.body()).at("/error/message").asText())
                .contains("kept in the ingress dead letters");
        HttpResponse<String> letters = send("GET", "/ingress/deadletters?" + V, null, Map.of());
        assertThat(Json.parse(letters.body()).get("value").findValuesAsText("messageId")).contains("nameless-1");
    }

    // helpers

    static JsonNode awaitTwin(String id, Predicate<JsonNode> condition) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode last = null;
        while (System.nanoTime() < end) {
            last = twin(id);
            if (condition.test(last)) {
                return last;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("twin " + id + " never reached the expected state; last: " + last);
    }

    static JsonNode twin(String id) throws Exception {
        return Json.parse(send("GET", "/digitaltwins/" + id + "?" + V, null, Map.of()).body());
    }

    static void putTwin(String id, String model) throws Exception {
        assertThat(send("PUT", "/digitaltwins/" + id + "?" + V, "{\"$metadata\":{\"$model\":\"" + model + "\"}}",
                Map.of()).statusCode()).isEqualTo(200);
    }

    static void relate(String source, String target) throws Exception {
        assertThat(send("PUT", "/digitaltwins/" + source + "/relationships/" + source + "-" + target + "?" + V,
                "{\"$targetId\":\"" + target + "\",\"$relationshipName\":\"contains\"}", Map.of()).statusCode())
                .isEqualTo(200);
    }

    static String resource(String name) throws Exception {
        return new String(IngressIT.class.getResourceAsStream("/models/" + name).readAllBytes(),
                StandardCharsets.UTF_8);
    }

    static HttpResponse<String> send(String method, String path, String body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.baseUrl() + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::setHeader);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
