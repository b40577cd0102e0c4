package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.routes.testing.HttpReceiver;
import io.twingress.routes.testing.SharedKafka;
import io.twingress.routes.testing.TwingressApi;

/**
 * The README's three customization examples, each installed from the README's text as a user route file into one
 * running Twingress, and each checked by what it changes: the replaced {@code egress-send-http} template's header
 * reaches a webhook receiver, the added file connector updates a twin, and the {@code ingress-message} step refuses
 * simulated devices' messages from HTTP and from within a Kafka batch.
 */
class ReadmeExamplesIT {

    static final String ROOM = "dtmi:readme:Room;1";

    static Path dropDir;
    static String topic;
    static TwingressServer server;
    static TwingressApi api;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("twingress-readme-it");
        for (String example : ReadmeExamples.all().keySet()) {
            ReadmeExamples.install(example, dir.resolve("routes"));
        }
        dropDir = Files.createDirectories(dir.resolve("drop"));
        topic = SharedKafka.newTopic("readme", 1);
        server = TwingressServer.start(dir, Map.of("files.dir", dropDir.toString(),
                "twingress.egress.pollPeriod", "20",
                "twingress.ingress.kafka.enabled", "true",
                "twingress.ingress.kafka.brokers", SharedKafka.bootstrapServers(),
                "twingress.ingress.kafka.topics", topic,
                "twingress.ingress.kafka.groupId", "readme-it-" + UUID.randomUUID(),
                "twingress.ingress.kafka.securityProtocol", "PLAINTEXT"));
        api = new TwingressApi(server.baseUrl());
        api.putModel(ROOM, "Temperature");
        for (String id : new String[] {"room-1", "room-2", "room-4", "sim-1", "sim-2"}) {
            api.putTwin(id, "{\"$metadata\":{\"$model\":\"" + ROOM + "\"},\"Temperature\":0}", Map.of());
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void theReadmeHasTheThreeExamples() {
        assertThat(ReadmeExamples.all()).containsOnlyKeys("webhook-tenant.camel.yaml", "ingress-files.camel.yaml",
                "ingress-no-simulators.camel.yaml");
    }

    @Test
    void replacedTemplateWebhookEventsCarryTheHeader() throws Exception {
        try (HttpReceiver receiver = HttpReceiver.open()) {
            api.putEndpoint("readme-hook", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url("/events")
                    + "\"}");
            api.putRoute("readme-hook-updates", "readme-hook", "type = 'Microsoft.DigitalTwins.Twin.Update'"
                    + " AND subject = 'room-1'");
            api.patchTwin("room-1", "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":21}]", Map.of());
            HttpReceiver.Request event = receiver.awaitRequests(1, Duration.ofSeconds(20)).get(0);
            assertThat(event.header("X-Tenant")).isEqualTo("plant-2");
            assertThat(event.header("ce-subject")).isEqualTo("room-1");
            api.deleteRouteAndEndpoint("readme-hook-updates", "readme-hook");
        }
    }

    @Test
    void addedConnectorAppliesDroppedFiles() throws Exception {
        Files.writeString(dropDir.resolve("room-2.0001.json"), "{\"Temperature\":30.5}");
        awaitTwin("room-2", t -> t.path("Temperature").asDouble() == 30.5);
        awaitFile(dropDir.resolve(".done/room-2.0001.json"));
    }

    @Test
    void stepKeepsSimulatedDevicesOutWhateverTheConnector() throws Exception {
        var refused = api.send("POST", "/devices/sim-1/messages/events", "{\"Temperature\":12}", Map.of());
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
        assertThat(refused.body()).contains("simulated device sim-1: not applied");
        // a Kafka batch: each record on its own, the simulated one refused, the other applied
        SharedKafka.produce(topic, "sim-2", "{\"Temperature\":13}", Map.of());
        SharedKafka.produce(topic, "room-4", "{\"Temperature\":14}", Map.of());
        awaitTwin("room-4", t -> t.path("Temperature").asDouble() == 14);
        String deadLetters = api.send("GET", "/ingress/deadletters", null, Map.of()).body();
        assertThat(deadLetters).contains("simulated device sim-1: not applied", "simulated device sim-2: not applied");
        assertThat(Json.parse(api.send("GET", "/digitaltwins/sim-1", null, Map.of()).body())
                .path("Temperature").asDouble()).isZero();
    }

    static JsonNode awaitTwin(String id, Predicate<JsonNode> condition) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        JsonNode twin = null;
        while (System.nanoTime() < end) {
            twin = Json.parse(api.send("GET", "/digitaltwins/" + id, null, Map.of()).body());
            if (condition.test(twin)) {
                return twin;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("twin " + id + " never matched; last: " + twin);
    }

    static void awaitFile(Path file) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!Files.exists(file) && System.nanoTime() < end) {
            Thread.sleep(100);
        }
        assertThat(file).exists();
    }
}
