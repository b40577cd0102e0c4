package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventHubClientBuilder;
import com.azure.messaging.eventhubs.EventHubConsumerClient;
import com.azure.messaging.eventhubs.models.EventPosition;
import com.azure.messaging.eventhubs.models.PartitionEvent;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

import io.twingress.Json;
import io.twingress.routes.testing.TwingressApi;

/**
 * Opt-in: Event Hubs and Service Bus endpoints against real Azure entities, read back with the Azure SDK's consumer
 * and receiver. Runs only when the environment names the entities (skipped otherwise):
 * <ul>
 * <li>{@code TWINGRESS_LIVE_EVENTHUBS_CONNECTION_STRING}: an event hub's connection string with {@code EntityPath}
 * and a policy that can send and listen; {@code TWINGRESS_LIVE_EVENTHUBS_CONSUMER_GROUP} (default {@code $Default}).
 * <li>{@code TWINGRESS_LIVE_SERVICEBUS_CONNECTION_STRING}: a queue's connection string with {@code EntityPath}, or a
 * topic's with {@code TWINGRESS_LIVE_SERVICEBUS_SUBSCRIPTION} naming a subscription to read. Messages of other
 * senders are left on the entity (abandoned), but a dedicated entity keeps the run quick.
 * </ul>
 * Each run sends a twin create, an update and a telemetry message about a twin of its own, and checks what a
 * consumer sees as {@link EgressAzureIT} does with the mocked clients.
 */
@EnabledIf("configured")
class EgressAzureLiveIT {

    static final String EVENT_HUBS = "TWINGRESS_LIVE_EVENTHUBS_CONNECTION_STRING";
    static final String SERVICE_BUS = "TWINGRESS_LIVE_SERVICEBUS_CONNECTION_STRING";
    static final Duration RECEIVE_TIMEOUT = Duration.ofSeconds(90);
    /** Application properties the Azure SDK itself adds when tracing is on; not Twingress's to send or keep out. */
    static final Set<String> SDK_TRACING = Set.of("Diagnostic-Id", "traceparent", "tracestate");

    static Path dir;
    static TwingressServer server;
    static TwingressApi api;

    static boolean configured() {
        return System.getenv(EVENT_HUBS) != null || System.getenv(SERVICE_BUS) != null;
    }

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("twingress-egress-azure-live-it");
        server = TwingressServer.start(dir, Map.of("twingress.events.source", EgressAzureIT.SOURCE));
        api = new TwingressApi(server.baseUrl());
        api.putModel(EgressAzureIT.ROOM, "Temperature");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @EnabledIfEnvironmentVariable(named = EVENT_HUBS, matches = ".+")
    void anEventHubGetsAdtsMessages() throws Exception {
        String connectionString = System.getenv(EVENT_HUBS);
        String group = System.getenv().getOrDefault("TWINGRESS_LIVE_EVENTHUBS_CONSUMER_GROUP",
                EventHubClientBuilder.DEFAULT_CONSUMER_GROUP_NAME);
        String twin = "live-eh-" + UUID.randomUUID().toString().substring(0, 8);
        // the partitions are read from a little before the sends, in case this clock is ahead of Azure's
        Instant from = Instant.now().minusSeconds(30);
        Map<String, String> expected = send(twin, "{\"endpointType\":\"EventHub\",\"connectionStringPrimaryKey\":\""
                + connectionString + "\"}");

        Map<String, Message> received = new ConcurrentHashMap<>();
        try (EventHubConsumerClient consumer = new EventHubClientBuilder().connectionString(connectionString)
                .consumerGroup(group).buildConsumerClient()) {
            long end = System.nanoTime() + RECEIVE_TIMEOUT.toNanos();
            while (received.size() < expected.size() && System.nanoTime() < end) {
                for (String partition : consumer.getPartitionIds()) {
                    for (PartitionEvent event : consumer.receiveFromPartition(partition, 500,
                            EventPosition.fromEnqueuedTime(from), Duration.ofSeconds(5))) {
                        EventData data = event.getData();
                        Message message = new Message(new String(data.getBody(), StandardCharsets.UTF_8),
                                new LinkedHashMap<>(data.getProperties()));
                        if (message.isAbout(twin)) {
                            received.put(message.type(), message);
                        }
                    }
                }
            }
        }
        assertAdtMessages(twin, expected, received);
        api.deleteRouteAndEndpoint(twin, twin);
    }

    @Test
    @EnabledIfEnvironmentVariable(named = SERVICE_BUS, matches = ".+")
    void aServiceBusEntityGetsAdtsMessages() throws Exception {
        String connectionString = System.getenv(SERVICE_BUS);
        String subscription = System.getenv("TWINGRESS_LIVE_SERVICEBUS_SUBSCRIPTION");
        Matcher entity = Pattern.compile("EntityPath=([^;]+)").matcher(connectionString);
        assertThat(entity.find()).as(SERVICE_BUS + " needs EntityPath").isTrue();
        String twin = "live-sb-" + UUID.randomUUID().toString().substring(0, 8);
        Map<String, String> expected = send(twin, "{\"endpointType\":\"ServiceBus\",\"primaryConnectionString\":\""
                + connectionString + "\"" + (subscription == null ? ",\"entityType\":\"queue\"" : "") + "}");

        ServiceBusClientBuilder.ServiceBusReceiverClientBuilder builder = new ServiceBusClientBuilder()
                .connectionString(connectionString).receiver().receiveMode(ServiceBusReceiveMode.PEEK_LOCK);
        if (subscription == null) {
            builder.queueName(entity.group(1));
        } else {
            builder.topicName(entity.group(1)).subscriptionName(subscription);
        }
        Map<String, Message> received = new ConcurrentHashMap<>();
        try (ServiceBusReceiverClient receiver = builder.buildClient()) {
            long end = System.nanoTime() + RECEIVE_TIMEOUT.toNanos();
            while (received.size() < expected.size() && System.nanoTime() < end) {
                for (ServiceBusReceivedMessage m : receiver.receiveMessages(10, Duration.ofSeconds(5))) {
                    Message message = new Message(m.getBody().toString(),
                            new LinkedHashMap<>(m.getApplicationProperties()));
                    if (message.isAbout(twin)) {
                        received.put(message.type(), message);
                        receiver.complete(m);
                    } else {
                        receiver.abandon(m);
                    }
                }
            }
        }
        assertAdtMessages(twin, expected, received);
        api.deleteRouteAndEndpoint(twin, twin);
    }

    /** A message as a consumer of the entity receives it. */
    record Message(String body, Map<String, Object> properties) {

        boolean isAbout(String twin) {
            return twin.equals(properties.get("cloudEvents:subject"))
                    || (EgressAzureIT.SOURCE + "/digitaltwins/" + twin).equals(properties.get("cloudEvents:source"));
        }

        String type() {
            return String.valueOf(properties.get("cloudEvents:type"));
        }

        Map<String, Object> twingressProperties() {
            Map<String, Object> own = new LinkedHashMap<>(properties);
            own.keySet().removeAll(SDK_TRACING);
            return own;
        }
    }

    /** Makes an endpoint and a route for the twin's events, then the events; returns each event's data by type. */
    private static Map<String, String> send(String twin, String endpoint) throws Exception {
        api.putEndpoint(twin, endpoint);
        api.putRoute(twin, twin, "subject = '" + twin + "' OR source = '" + EgressAzureIT.SOURCE + "/digitaltwins/"
                + twin + "'");
        Map<String, String> traced = Map.of("traceparent", EgressAzureIT.TRACE);
        JsonNode created = api.putTwin(twin, "{\"$metadata\":{\"$model\":\"" + EgressAzureIT.ROOM + "\"},"
                + "\"Temperature\":20}", traced);
        api.patchTwin(twin, "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":21.5}]", traced);
        api.sendTelemetry(twin, "{\"reading\":7}", Map.of("traceparent", EgressAzureIT.TRACE, "Message-Id",
                twin + "-m1"));
        return Map.of("Microsoft.DigitalTwins.Twin.Create", Json.write(created),
                "Microsoft.DigitalTwins.Twin.Update", "{\"modelId\":\"" + EgressAzureIT.ROOM
                        + "\",\"patch\":[{\"value\":21.5,\"path\":\"/Temperature\",\"op\":\"replace\"}]}",
                "microsoft.iot.telemetry", "{\"reading\":7}");
    }

    private static void assertAdtMessages(String twin, Map<String, String> expected, Map<String, Message> received) {
        assertThat(received.keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        received.forEach((type, message) -> {
            assertThat(Json.parse(message.body())).as(type).isEqualTo(Json.parse(expected.get(type)));
            boolean telemetry = type.equals("microsoft.iot.telemetry");
            assertThat(message.twingressProperties().keySet()).as(type).containsExactlyInAnyOrderElementsOf(
                    telemetry ? EgressAzureIT.TELEMETRY_PROPERTIES : EgressAzureIT.TWIN_EVENT_PROPERTIES);
            assertThat(message.properties()).containsEntry("cloudEvents:specversion", "1.0")
                    .containsEntry("cloudEvents:traceparent", EgressAzureIT.TRACE);
        });
        assertThat(received.get("microsoft.iot.telemetry").properties())
                .containsEntry("cloudEvents:id", twin + "-m1")
                .containsEntry("cloudEvents:dataschema", EgressAzureIT.ROOM);
        assertThat(received.get("Microsoft.DigitalTwins.Twin.Create").properties())
                .containsEntry("cloudEvents:subject", twin)
                .containsEntry("cloudEvents:source", EgressAzureIT.SOURCE);
    }
}
