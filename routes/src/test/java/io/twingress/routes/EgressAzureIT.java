package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.azure.core.amqp.exception.AmqpException;
import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventHubProducerAsyncClient;
import com.azure.messaging.eventhubs.models.SendOptions;
import com.azure.messaging.servicebus.ServiceBusErrorSource;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import reactor.core.publisher.Mono;

import io.twingress.Json;
import io.twingress.routes.testing.TwingressApi;

/**
 * Event Hubs and Service Bus endpoints end to end through the real application, with the Azure SDK's clients mocked
 * as Camel's own tests of these components do. Both components take their client from the registry when it holds
 * exactly one bean of the type ({@code producerAsyncClient} of azure-eventhubs, {@code senderClient} of
 * azure-servicebus are autowired options), so the endpoints the egress templates make send through the mocks below
 * and never open an AMQP connection. The mocks record what the SDK would put on the wire, and fail on command: the
 * first sends of a twin, or every send of twins whose id starts with {@code down-}.
 */
class EgressAzureIT {

    static final String ROOM = "dtmi:egress:AzureRoom;1";
    static final String SOURCE = "twins.example.com";
    static final String TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    static final Set<String> TWIN_EVENT_PROPERTIES = Set.of("cloudEvents:id", "cloudEvents:source",
            "cloudEvents:specversion", "cloudEvents:type", "cloudEvents:time", "cloudEvents:subject",
            "cloudEvents:traceparent");
    static final Set<String> TELEMETRY_PROPERTIES = Set.of("cloudEvents:id", "cloudEvents:source",
            "cloudEvents:specversion", "cloudEvents:type", "cloudEvents:time", "cloudEvents:traceparent",
            "cloudEvents:dataschema");

    /** The Azure endpoint types, each with the client the test binds for it. */
    enum Azure {
        EVENT_HUBS("{\"endpointType\":\"EventHub\",\"connectionStringPrimaryKey\":\"Endpoint=sb://ns.servicebus"
                + ".windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=hub\""),
        SERVICE_BUS_TOPIC("{\"endpointType\":\"ServiceBus\",\"primaryConnectionString\":\"Endpoint=sb://ns"
                + ".servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=twins\""),
        SERVICE_BUS_QUEUE("{\"endpointType\":\"ServiceBus\",\"primaryConnectionString\":\"Endpoint=sb://ns"
                + ".servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=twins\","
                + "\"entityType\":\"queue\"");

        final String properties;

        Azure(String properties) {
            this.properties = properties;
        }

        String endpoint(String extra) {
            return properties + extra + "}";
        }

        String prefix() {
            return name().toLowerCase().replace('_', '-');
        }

        boolean eventHubs() {
            return this == EVENT_HUBS;
        }
    }

    /** A message as the SDK client was handed it: what a consumer of the hub, queue or subscription receives. */
    record Sent(boolean eventHubs, String body, Map<String, Object> properties, String contentType, String messageId) {

        /** The twin the event is about: its subject, or for telemetry the end of its source. */
        String twin() {
            Object subject = properties.get("cloudEvents:subject");
            if (subject != null) {
                return subject.toString();
            }
            String source = String.valueOf(properties.get("cloudEvents:source"));
            return source.substring(source.lastIndexOf('/') + 1);
        }

        String type() {
            return String.valueOf(properties.get("cloudEvents:type"));
        }
    }

    static final List<Sent> SENT = new CopyOnWriteArrayList<>();
    /** Sends to fail before one gets through, by twin. */
    static final Map<String, AtomicInteger> FAILURES = new ConcurrentHashMap<>();
    static final Map<String, AtomicInteger> ATTEMPTS = new ConcurrentHashMap<>();

    static Path dir;
    static TwingressServer server;
    static TwingressApi api;

    @BeforeAll
    static void start() throws Exception {
        EventHubProducerAsyncClient hub = mock(EventHubProducerAsyncClient.class);
        when(hub.send(any(Iterable.class))).thenAnswer(call -> sendToHub(call.getArgument(0)));
        when(hub.send(any(Iterable.class), any(SendOptions.class))).thenAnswer(call -> sendToHub(call.getArgument(0)));
        ServiceBusSenderClient bus = mock(ServiceBusSenderClient.class);
        doAnswer(call -> {
            sendToBus(call.getArgument(0));
            return null;
        }).when(bus).sendMessage(any(ServiceBusMessage.class));

        dir = Files.createTempDirectory("twingress-egress-azure-it");
        server = TwingressServer.start(dir, Map.of(
                "twingress.egress.minTimeToLive", "PT1S",
                "twingress.egress.pollPeriod", "20",
                "twingress.egress.syncPeriod", "500",
                "twingress.events.source", SOURCE), main -> {
                    main.bind("eventHubProducer", hub);
                    main.bind("serviceBusSender", bus);
                });
        api = new TwingressApi(server.baseUrl());
        api.putModel(ROOM, "Temperature");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Mono<Void> sendToHub(Iterable<EventData> events) {
        for (EventData event : events) {
            Sent sent = new Sent(true, new String(event.getBody(), StandardCharsets.UTF_8),
                    new LinkedHashMap<>(event.getProperties()), event.getContentType(), event.getMessageId());
            if (fails(sent)) {
                return Mono.error(new AmqpException(true, "the hub is busy (mock)", null));
            }
            SENT.add(sent);
        }
        return Mono.empty();
    }

    static void sendToBus(ServiceBusMessage message) {
        Sent sent = new Sent(false, message.getBody().toString(), new LinkedHashMap<>(message.getApplicationProperties()),
                message.getContentType(), message.getMessageId());
        if (fails(sent)) {
            throw new ServiceBusException(new AmqpException(true, "the namespace is busy (mock)", null),
                    ServiceBusErrorSource.SEND);
        }
        SENT.add(sent);
    }

    private static boolean fails(Sent sent) {
        ATTEMPTS.computeIfAbsent(sent.twin(), twin -> new AtomicInteger()).incrementAndGet();
        AtomicInteger failures = FAILURES.get(sent.twin());
        return sent.twin().startsWith("down-") || failures != null && failures.getAndDecrement() > 0;
    }

    @ParameterizedTest
    @EnumSource(Azure.class)
    void theBodyIsTheEventsDataAndTheAttributesAreCloudEventsApplicationProperties(Azure azure) throws Exception {
        String twin = azure.prefix() + "-1";
        String endpoint = azure.prefix();
        api.putEndpoint(endpoint, azure.endpoint(""));
        api.putRoute(endpoint + "-all", endpoint, "subject = '" + twin + "' OR source = '" + SOURCE + "/digitaltwins/"
                + twin + "'");
        Instant before = Instant.now().minusSeconds(1);
        Map<String, String> traced = Map.of("traceparent", TRACE);
        JsonNode created = api.putTwin(twin, "{\"$metadata\":{\"$model\":\"" + ROOM + "\"},\"Temperature\":20}",
                traced);
        api.patchTwin(twin, "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":21.5}]", traced);
        // compact: the event's data is the payload as JSON, written without the sender's whitespace
        String telemetry = "{\"reading\":7,\"unit\":\"°C\"}";
        api.sendTelemetry(twin, telemetry, Map.of("traceparent", TRACE, "Message-Id", twin + "-m1"));

        List<Sent> sent = await(twin, 3);
        assertThat(sent).extracting(Sent::eventHubs).containsOnly(azure.eventHubs());
        Sent create = one(sent, "Microsoft.DigitalTwins.Twin.Create");
        Sent update = one(sent, "Microsoft.DigitalTwins.Twin.Update");
        Sent reading = one(sent, "microsoft.iot.telemetry");

        // Create: the twin as GET returns it
        assertThat(Json.parse(create.body())).isEqualTo(created);
        assertTwinEventProperties(create, twin, "Microsoft.DigitalTwins.Twin.Create", before);
        // Update: ADT's patch document, as it writes it
        assertThat(update.body()).isEqualTo("{\"modelId\":\"" + ROOM
                + "\",\"patch\":[{\"value\":21.5,\"path\":\"/Temperature\",\"op\":\"replace\"}]}");
        assertTwinEventProperties(update, twin, "Microsoft.DigitalTwins.Twin.Update", before);
        assertThat(update.properties().get("cloudEvents:id")).isNotEqualTo(create.properties().get("cloudEvents:id"));
        // Telemetry: the payload, the Message-Id as id, the twin's model as dataschema, no subject
        assertThat(reading.body()).isEqualTo(telemetry);
        assertThat(reading.properties().keySet()).containsExactlyInAnyOrderElementsOf(TELEMETRY_PROPERTIES);
        assertThat(reading.properties()).containsEntry("cloudEvents:id", twin + "-m1")
                .containsEntry("cloudEvents:source", SOURCE + "/digitaltwins/" + twin)
                .containsEntry("cloudEvents:specversion", "1.0")
                .containsEntry("cloudEvents:type", "microsoft.iot.telemetry")
                .containsEntry("cloudEvents:traceparent", TRACE)
                .containsEntry("cloudEvents:dataschema", ROOM);
        assertTime(reading, before);
        api.deleteRouteAndEndpoint(endpoint + "-all", endpoint);
    }

    @ParameterizedTest
    @EnumSource(value = Azure.class, names = {"EVENT_HUBS", "SERVICE_BUS_QUEUE"})
    void aSendTheClientFailsIsRetriedUntilItGetsThrough(Azure azure) throws Exception {
        String twin = "retry-" + azure.prefix();
        String endpoint = "retry-" + azure.prefix();
        FAILURES.put(twin, new AtomicInteger(3));
        api.putEndpoint(endpoint, azure.endpoint(",\"retryPolicy\":{\"initialDelay\":\"PT0.05S\","
                + "\"maxDelay\":\"PT0.2S\"}"));
        api.putRoute(endpoint + "-all", endpoint, "subject = '" + twin + "'");
        Instant before = Instant.now().minusSeconds(1);
        api.putTwin(twin, "{\"$metadata\":{\"$model\":\"" + ROOM + "\"},\"Temperature\":1}",
                Map.of("traceparent", TRACE));

        Sent create = await(twin, 1).get(0);
        // what Camel's redelivery adds to the exchange (CamelRedelivered, CamelRedeliveryCounter) stays out too
        assertTwinEventProperties(create, twin, "Microsoft.DigitalTwins.Twin.Create", before);
        assertThat(ATTEMPTS.get(twin)).as("three failed sends, then the one that got through").hasValue(4);
        assertThat(Json.parse(api.send("GET", "/endpoints/" + endpoint + "/deadletters", null, Map.of()).body())
                .get("value")).isEmpty();
        api.deleteRouteAndEndpoint(endpoint + "-all", endpoint);
    }

    @ParameterizedTest
    @EnumSource(value = Azure.class, names = {"EVENT_HUBS", "SERVICE_BUS_TOPIC"})
    void aClientThatKeepsFailingPastTheTimeToLiveEndsInADeadLetter(Azure azure) throws Exception {
        String twin = "down-" + azure.prefix();
        String endpoint = "down-" + azure.prefix();
        api.putEndpoint(endpoint, azure.endpoint(",\"retryPolicy\":{\"timeToLive\":\"PT1S\","
                + "\"initialDelay\":\"PT0.1S\",\"maxDelay\":\"PT0.2S\"}"));
        api.putRoute(endpoint + "-all", endpoint, "subject = '" + twin + "'");
        api.putTwin(twin, "{\"$metadata\":{\"$model\":\"" + ROOM + "\"},\"Temperature\":1}", Map.of());

        JsonNode letter = api.awaitDeadLetters(endpoint, 1, Duration.ofSeconds(30)).get(0);
        assertThat(letter.get("reason").asText()).contains("busy (mock)");
        assertThat(letter.get("attempts").asInt()).isGreaterThan(1);
        assertThat(letter.at("/event/type").asText()).isEqualTo("Microsoft.DigitalTwins.Twin.Create");
        assertThat(letter.at("/event/subject").asText()).isEqualTo(twin);
        assertThat(ATTEMPTS.get(twin).get()).isGreaterThan(1);
        assertThat(SENT).noneMatch(s -> s.twin().equals(twin));
        api.deleteRouteAndEndpoint(endpoint + "-all", endpoint);
    }

    private static void assertTwinEventProperties(Sent sent, String twin, String type, Instant notBefore) {
        assertThat(sent.properties().keySet()).containsExactlyInAnyOrderElementsOf(TWIN_EVENT_PROPERTIES);
        assertThat(sent.properties()).containsEntry("cloudEvents:source", SOURCE)
                .containsEntry("cloudEvents:specversion", "1.0")
                .containsEntry("cloudEvents:type", type)
                .containsEntry("cloudEvents:subject", twin)
                .containsEntry("cloudEvents:traceparent", TRACE);
        UUID.fromString((String) sent.properties().get("cloudEvents:id"));
        assertTime(sent, notBefore);
    }

    private static void assertTime(Sent sent, Instant notBefore) {
        Instant time = Instant.parse((String) sent.properties().get("cloudEvents:time"));
        assertThat(time).isBetween(notBefore, Instant.now());
    }

    private static Sent one(List<Sent> sent, String type) {
        List<Sent> ofType = sent.stream().filter(s -> s.type().equals(type)).toList();
        assertThat(ofType).as(type).hasSize(1);
        return ofType.get(0);
    }

    /** Waits for {@code count} messages about the twin, then a little longer to see that no more come. */
    private static List<Sent> await(String twin, int count) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        List<Sent> found = List.of();
        while (found.size() < count && System.nanoTime() < end) {
            Thread.sleep(20);
            found = SENT.stream().filter(s -> s.twin().equals(twin)).toList();
        }
        Thread.sleep(300);
        found = SENT.stream().filter(s -> s.twin().equals(twin)).toList();
        assertThat(found).as("messages about " + twin).hasSize(count);
        return found;
    }
}
