package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubProducerClient;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import io.twingress.Json;
import io.twingress.routes.testing.TwingressApi;

/**
 * The Azure connectors against real Azure, when given the means: sends a device message with the SDK's producer or
 * sender and waits for the twin to show it through the API. Skipped unless the environment names the resources:
 * <ul>
 * <li>{@code TWINGRESS_LIVE_EVENTHUBS_CONNECTION_STRING} (with EntityPath; an IoT Hub's Event Hub-compatible endpoint
 * works too) and {@code TWINGRESS_LIVE_EVENTHUBS_CHECKPOINT_CONNECTION_STRING} (a storage account, or azurite);
 * {@code TWINGRESS_LIVE_EVENTHUBS_CONSUMER_GROUP} optional, {@code $Default} otherwise;</li>
 * <li>{@code TWINGRESS_LIVE_SERVICEBUS_CONNECTION_STRING} and {@code TWINGRESS_LIVE_SERVICEBUS_QUEUE}.</li>
 * </ul>
 * Sent directly, an event has no IoT Hub system properties: the device id goes as the {@code deviceId} application
 * property, which the connectors read too.
 */
class IngressAzureLiveIT {

    static final String MODEL = "dtmi:ingress:LiveThermostat;1";

    @Test
    @EnabledIfEnvironmentVariable(named = "TWINGRESS_LIVE_EVENTHUBS_CONNECTION_STRING", matches = ".+")
    @EnabledIfEnvironmentVariable(named = "TWINGRESS_LIVE_EVENTHUBS_CHECKPOINT_CONNECTION_STRING", matches = ".+")
    void anEventSentToTheHubUpdatesTheTwin() throws Exception {
        String connection = System.getenv("TWINGRESS_LIVE_EVENTHUBS_CONNECTION_STRING");
        String group = System.getenv().getOrDefault("TWINGRESS_LIVE_EVENTHUBS_CONSUMER_GROUP", "$Default");
        try (TwingressServer server = TwingressServer.start(Files.createTempDirectory("twingress-live-eh"), Map.of(
                "twingress.ingress.eventhubs.enabled", "true",
                "twingress.ingress.eventhubs.connectionString", connection,
                "twingress.ingress.eventhubs.consumerGroup", group,
                "twingress.ingress.eventhubs.checkpoint.connectionString",
                System.getenv("TWINGRESS_LIVE_EVENTHUBS_CHECKPOINT_CONNECTION_STRING"),
                "twingress.ingress.eventhubs.checkpoint.container", "twingress-live-it"))) {
            TwingressApi api = twin(server, "live-eh");
            double value = Math.round(Math.random() * 1000) / 10.0;
            EventHubProducerClient producer = new EventHubClientBuilder().connectionString(connection)
                    .buildProducerClient();
            try {
                EventData event = new EventData("{\"Temperature\":" + value + "}");
                event.setContentType("application/json");
                event.getProperties().put("deviceId", "live-eh");
                producer.send(List.of(event));
            } finally {
                producer.close();
            }
            awaitTemperature(api, "live-eh", value);
        }
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "TWINGRESS_LIVE_SERVICEBUS_CONNECTION_STRING", matches = ".+")
    @EnabledIfEnvironmentVariable(named = "TWINGRESS_LIVE_SERVICEBUS_QUEUE", matches = ".+")
    void aMessageSentToTheQueueUpdatesTheTwin() throws Exception {
        String connection = System.getenv("TWINGRESS_LIVE_SERVICEBUS_CONNECTION_STRING");
        String queue = System.getenv("TWINGRESS_LIVE_SERVICEBUS_QUEUE");
        try (TwingressServer server = TwingressServer.start(Files.createTempDirectory("twingress-live-sb"), Map.of(
                "twingress.ingress.servicebus.enabled", "true",
                "twingress.ingress.servicebus.connectionString", connection,
                "twingress.ingress.servicebus.type", "queue",
                "twingress.ingress.servicebus.entity", queue))) {
            TwingressApi api = twin(server, "live-sb");
            double value = Math.round(Math.random() * 1000) / 10.0;
            ServiceBusSenderClient sender = new ServiceBusClientBuilder().connectionString(connection).sender()
                    .queueName(queue).buildClient();
            try {
                ServiceBusMessage message = new ServiceBusMessage("{\"Temperature\":" + value + "}")
                        .setMessageId(UUID.randomUUID().toString()).setContentType("application/json");
                message.getApplicationProperties().put("deviceId", "live-sb");
                sender.sendMessage(message);
            } finally {
                sender.close();
            }
            awaitTemperature(api, "live-sb", value);
        }
    }

    private static TwingressApi twin(TwingressServer server, String id) throws Exception {
        TwingressApi api = new TwingressApi(server.baseUrl());
        api.putModel(MODEL, "Temperature");
        api.putTwin(id, "{\"$metadata\":{\"$model\":\"" + MODEL + "\"},\"Temperature\":-1}", Map.of());
        return api;
    }

    private static void awaitTemperature(TwingressApi api, String id, double value) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        JsonNode twin = null;
        while (System.nanoTime() < end) {
            twin = Json.parse(api.send("GET", "/digitaltwins/" + id, null, Map.of()).body());
            if (twin.path("Temperature").asDouble() == value) {
                return;
            }
            Thread.sleep(500);
        }
        assertThat(twin).as("twin " + id + " never showed Temperature " + value).isNull();
    }
}
