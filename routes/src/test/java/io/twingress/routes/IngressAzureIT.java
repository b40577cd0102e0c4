package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import com.azure.core.util.BinaryData;
import com.azure.messaging.eventhubs.CheckpointStore;
import com.azure.messaging.eventhubs.EventData;
import com.azure.messaging.eventhubs.EventProcessorClient;
import com.azure.messaging.eventhubs.models.Checkpoint;
import com.azure.messaging.eventhubs.models.EventContext;
import com.azure.messaging.eventhubs.models.PartitionContext;
import com.azure.messaging.eventhubs.models.PartitionOwnership;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessageContext;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Processor;
import org.apache.camel.component.azure.eventhubs.EventHubsConfiguration;
import org.apache.camel.component.azure.servicebus.ServiceBusConfiguration;
import org.apache.camel.component.azure.servicebus.ServiceBusType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import io.twingress.Json;
import io.twingress.ingest.IngressHeaders;
import io.twingress.routes.ingress.EventProcessorClients;
import io.twingress.routes.ingress.ServiceBusProcessorClients;
import io.twingress.routes.testing.TwingressApi;
import io.twingress.store.StoreException;

/**
 * The Event Hubs (IoT Hub built-in endpoint) and Service Bus connectors through the real application, with the Azure
 * SDK's processor clients mocked: the connectors' consumers take their processor client from a factory bean
 * ({@link EventProcessorClients}, {@link ServiceBusProcessorClients}), which the test replaces to get hold of the
 * callbacks the SDK would call. The test then plays the SDK: it hands over an {@link EventContext} (real, with a
 * mocked {@link EventData} carrying IoT Hub's system properties and a recording {@link CheckpointStore}) or a mocked
 * {@link ServiceBusReceivedMessageContext}, and sees what the consumer checkpoints or how it settles. A store outage
 * is a user route replacing {@code twin-update} that fails for {@code flaky-*} devices as the store would, before the
 * real pipeline. Not covered here: the SDK's own AMQP link, load balancing and blob I/O (see IngressAzureLiveIT).
 */
class IngressAzureIT {

    static final String MODEL = "dtmi:ingress:AzureThermostat;1";
    static final String HUB = "iothub-ehub-twingress";
    static final String BUS_QUEUE = "telemetry";

    static final AtomicReference<Consumer<EventContext>> EVENTS = new AtomicReference<>();
    static final AtomicReference<EventHubsConfiguration> EVENTS_CONFIG = new AtomicReference<>();
    static final AtomicReference<Consumer<ServiceBusReceivedMessageContext>> MESSAGES = new AtomicReference<>();
    static final AtomicReference<ServiceBusConfiguration> MESSAGES_CONFIG = new AtomicReference<>();
    /** Store failures still to come for flaky-* devices, and the attempts seen. */
    static final AtomicInteger OUTAGE = new AtomicInteger();
    static final AtomicInteger FLAKY_ATTEMPTS = new AtomicInteger();

    /** A checkpoint as written, with the twin's Temperature at that moment. */
    record Written(String partition, long sequenceNumber, JsonNode temperatureThen) {
    }

    static final List<Written> CHECKPOINTS = new CopyOnWriteArrayList<>();
    static final List<Instant> CHECKPOINT_TIMES = new CopyOnWriteArrayList<>();
    static String checkpointTwin;

    static TwingressServer server;
    static TwingressApi api;
    static final AtomicInteger SEQUENCE = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("twingress-ingress-azure-it");
        Files.createDirectories(dir.resolve("routes"));
        // a user route replacing the entry point: the store "fails" for flaky-* devices while OUTAGE lasts
        Files.writeString(dir.resolve("routes/outage.camel.yaml"), """
                - route:
                    id: twin-update
                    routeConfigurationId: ingress
                    from:
                      uri: "direct:twin-update"
                      steps:
                        - bean:
                            ref: storeOutage
                        - bean:
                            ref: ingressPipeline
                            method: apply
                """);
        Processor outage = exchange -> {
            String device = exchange.getMessage().getHeader(IngressHeaders.DEVICE_ID, String.class);
            if (device != null && device.startsWith("flaky-")) {
                FLAKY_ATTEMPTS.incrementAndGet();
                if (OUTAGE.getAndDecrement() > 0) {
                    throw new StoreException("database is locked (test outage)", null);
                }
            }
        };
        EventProcessorClients events = (configuration, onEvent, onError) -> {
            EVENTS_CONFIG.set(configuration);
            EVENTS.set(onEvent);
            return mock(EventProcessorClient.class);
        };
        ServiceBusProcessorClients messages = (configuration, onMessage, onError) -> {
            MESSAGES_CONFIG.set(configuration);
            MESSAGES.set(onMessage);
            return mock(ServiceBusProcessorClient.class);
        };
        Map<String, String> props = new HashMap<>();
        props.put("twingress.ingress.storeRetries", "1");
        props.put("twingress.ingress.eventhubs.enabled", "true");
        props.put("twingress.ingress.eventhubs.connectionString", "Endpoint=sb://ihsuprodxx.servicebus.windows.net/;"
                + "SharedAccessKeyName=iothubowner;SharedAccessKey=c2VjcmV0;EntityPath=" + HUB);
        props.put("twingress.ingress.eventhubs.consumerGroup", "twingress");
        props.put("twingress.ingress.eventhubs.checkpointBatchSize", "1");
        props.put("twingress.ingress.eventhubs.checkpoint.store", "recordingCheckpoints");
        props.put("twingress.ingress.servicebus.enabled", "true");
        props.put("twingress.ingress.servicebus.connectionString", "Endpoint=sb://ns.servicebus.windows.net/;"
                + "SharedAccessKeyName=k;SharedAccessKey=s");
        props.put("twingress.ingress.servicebus.entity", BUS_QUEUE);
        server = TwingressServer.start(dir, props, main -> {
            main.bind("storeOutage", outage);
            main.bind("eventProcessorClients", events);
            main.bind("serviceBusProcessorClients", messages);
            main.bind("recordingCheckpoints", new RecordingCheckpoints());
        });
        api = new TwingressApi(server.baseUrl());
        api.putModel(MODEL, "Temperature");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    // Event Hubs / IoT Hub

    @Test
    void theConnectorsAreConfiguredFromTheSettings() {
        EventHubsConfiguration hub = EVENTS_CONFIG.get();
        assertThat(hub).as("the Event Hubs consumer started").isNotNull();
        assertThat(hub.getConsumerGroupName()).isEqualTo("twingress");
        assertThat(hub.getConnectionString()).endsWith("EntityPath=" + HUB);
        assertThat(hub.getCheckpointStore()).isInstanceOf(RecordingCheckpoints.class);
        ServiceBusConfiguration bus = MESSAGES_CONFIG.get();
        assertThat(bus).as("the Service Bus consumer started").isNotNull();
        assertThat(bus.getTopicOrQueueName()).isEqualTo(BUS_QUEUE);
        assertThat(bus.getServiceBusType()).isEqualTo(ServiceBusType.queue);
        assertThat(bus.getServiceBusReceiveMode().toString()).isEqualTo("PEEK_LOCK");
        assertThat(bus.isEnableDeadLettering()).isTrue();
    }

    @Test
    void anIotHubEventUpdatesTheDevicesTwinAndIsCheckpointedAfterTheCommit() throws Exception {
        twin("thermostat-eh");
        EventContext event = iotHubEvent("thermostat-eh", "m-1", "{\"Temperature\":70.2}",
                "2026-01-01T10:00:00Z");

        EVENTS.get().accept(event);

        JsonNode twin = getTwin("thermostat-eh");
        assertThat(twin.get("Temperature").asDouble()).isEqualTo(70.2);
        assertThat(twin.at("/$metadata/Temperature/sourceTime").asText()).isEqualTo("2026-01-01T10:00:00Z");
        Written checkpoint = checkpointOf(event);
        assertThat(checkpoint.temperatureThen().asDouble()).as("the twin when the checkpoint was written")
                .isEqualTo(70.2);

        // IoT Hub delivers the same device message again (a device retry): dropped, and still checkpointed
        String etag = twin.get("$etag").asText();
        EventContext again = iotHubEvent("thermostat-eh", "m-1", "{\"Temperature\":10}", null);
        EVENTS.get().accept(again);
        assertThat(getTwin("thermostat-eh").get("$etag").asText()).isEqualTo(etag);
        checkpointOf(again);
    }

    @Test
    void anEventTwingressRefusesIsDeadLetteredWithItsSourceAndDeviceAndTheStreamGoesOn() throws Exception {
        EventContext ghost = iotHubEvent("ghost-eh", null, "{\"Temperature\":1}", null);
        EVENTS.get().accept(ghost);

        JsonNode letter = deadLetter("ghost-eh");
        assertThat(letter.get("source").asText()).isEqualTo("eventhubs:" + HUB);
        assertThat(letter.get("reason").asText()).contains("ghost-eh");
        // kept as received, to be replayed as received
        assertThat(new String(Base64.getDecoder().decode(letter.at("/message/body").asText()), StandardCharsets.UTF_8))
                .isEqualTo("{\"Temperature\":1}");
        assertThat(checkpointOf(ghost)).as("a refused event is handled: checkpointed").isNotNull();
    }

    @Test
    void aStoreOutageHoldsThePartitionAtTheEventWithoutCheckpointingItUntilItApplies() throws Exception {
        twin("flaky-eh");
        FLAKY_ATTEMPTS.set(0);
        // each consumer attempt is the route's first try and its one retry: 3 failures end in the second attempt
        OUTAGE.set(3);
        EventContext event = iotHubEvent("flaky-eh", "m-9", "{\"Temperature\":33}", null);
        int before = CHECKPOINTS.size();

        EVENTS.get().accept(event);

        assertThat(FLAKY_ATTEMPTS.get()).isEqualTo(4);
        assertThat(getTwin("flaky-eh").get("Temperature").asDouble()).isEqualTo(33);
        List<Written> written = CHECKPOINTS.subList(before, CHECKPOINTS.size());
        assertThat(written).as("one checkpoint, written once the event applied").hasSize(1);
        assertThat(written.get(0).temperatureThen().asDouble()).isEqualTo(33);
    }

    // Service Bus

    @Test
    void aServiceBusMessageIsCompletedAfterTheCommit() throws Exception {
        twin("thermostat-sb");
        ServiceBusReceivedMessageContext context = busMessage("thermostat-sb", "sb-1", "{\"Temperature\":21.5}", 1);
        AtomicReference<JsonNode> whenCompleted = new AtomicReference<>();
        doAnswer(call -> {
            whenCompleted.set(getTwin("thermostat-sb").get("Temperature"));
            return null;
        }).when(context).complete();

        MESSAGES.get().accept(context);

        verify(context).complete();
        verify(context, never()).abandon();
        verify(context, never()).deadLetter(any(DeadLetterOptions.class));
        assertThat(whenCompleted.get().asDouble()).as("the twin when the message was completed").isEqualTo(21.5);
    }

    @Test
    void aPoisonMessageIsDeadLetteredOnServiceBusWithItsReasonAndKeptInTwingress() throws Exception {
        twin("poison-sb");
        ServiceBusReceivedMessageContext context = busMessage("poison-sb", "sb-2", "not json", 1);

        MESSAGES.get().accept(context);

        ArgumentCaptor<DeadLetterOptions> options = ArgumentCaptor.forClass(DeadLetterOptions.class);
        verify(context).deadLetter(options.capture());
        verify(context, never()).complete();
        verify(context, never()).abandon();
        JsonNode letter = deadLetter("poison-sb");
        assertThat(letter.get("source").asText()).isEqualTo("servicebus:" + BUS_QUEUE);
        assertThat(options.getValue().getDeadLetterReason()).isEqualTo(letter.get("reason").asText())
                .contains("not JSON");
        assertThat(options.getValue().getDeadLetterErrorDescription()).contains("GET /ingress/deadletters");
    }

    @Test
    void aTransientStoreErrorAbandonsTheMessageAndItsRedeliveryIsCompleted() throws Exception {
        twin("flaky-sb");
        OUTAGE.set(2);
        ServiceBusReceivedMessageContext first = busMessage("flaky-sb", "sb-3", "{\"Temperature\":5}", 1);

        MESSAGES.get().accept(first);

        verify(first).abandon();
        verify(first, never()).complete();
        verify(first, never()).deadLetter(any(DeadLetterOptions.class));
        assertThat(getTwin("flaky-sb").get("Temperature").asDouble()).isEqualTo(0);

        ServiceBusReceivedMessageContext redelivered = busMessage("flaky-sb", "sb-3", "{\"Temperature\":5}", 2);
        MESSAGES.get().accept(redelivered);
        verify(redelivered).complete();
        assertThat(getTwin("flaky-sb").get("Temperature").asDouble()).isEqualTo(5);

        // delivered once more (the completion was lost): a duplicate, completed, the twin unchanged
        ServiceBusReceivedMessageContext duplicate = busMessage("flaky-sb", "sb-3", "{\"Temperature\":6}", 3);
        MESSAGES.get().accept(duplicate);
        verify(duplicate, times(1)).complete();
        assertThat(getTwin("flaky-sb").get("Temperature").asDouble()).isEqualTo(5);
    }

    // the SDK's side, played by the test

    /** An event as IoT Hub's built-in endpoint delivers it: base64 body, device and message in system properties. */
    static EventContext iotHubEvent(String device, String messageId, String json, String creationTime) {
        long sequence = SEQUENCE.incrementAndGet();
        Map<String, Object> system = new HashMap<>();
        system.put("iothub-connection-device-id", device);
        system.put("iothub-enqueuedtime", Date.from(Instant.now()));
        system.put("content-type", "application/json");
        system.put("content-encoding", "base64");
        system.put("x-opt-sequence-number", sequence);
        if (messageId != null) {
            system.put("message-id", messageId);
        }
        Map<String, Object> application = new HashMap<>();
        if (creationTime != null) {
            application.put("iothub-creation-time-utc", creationTime);
        }
        EventData data = mock(EventData.class);
        when(data.getBody()).thenReturn(Base64.getEncoder().encode(json.getBytes(StandardCharsets.UTF_8)));
        when(data.getSystemProperties()).thenReturn(system);
        when(data.getProperties()).thenReturn(application);
        when(data.getSequenceNumber()).thenReturn(sequence);
        when(data.getOffset()).thenReturn(sequence * 100);
        when(data.getOffsetString()).thenReturn(Long.toString(sequence * 100));
        when(data.getEnqueuedTime()).thenReturn(Instant.now());
        when(data.getContentType()).thenReturn("application/json");
        checkpointTwin = device;
        return new EventContext(new PartitionContext("ihsuprodxx.servicebus.windows.net", HUB, "twingress", "0"),
                data, EVENTS_CONFIG.get().getCheckpointStore(), null);
    }

    static ServiceBusReceivedMessageContext busMessage(String device, String messageId, String json,
            long deliveryCount) {
        ServiceBusReceivedMessage message = mock(ServiceBusReceivedMessage.class);
        when(message.getBody()).thenReturn(BinaryData.fromString(json));
        when(message.getApplicationProperties()).thenReturn(Map.of("iothub-connection-device-id", device));
        when(message.getMessageId()).thenReturn(messageId);
        when(message.getContentType()).thenReturn("application/json");
        when(message.getDeliveryCount()).thenReturn(deliveryCount);
        when(message.getSequenceNumber()).thenReturn((long) SEQUENCE.incrementAndGet());
        when(message.getEnqueuedTime()).thenReturn(OffsetDateTime.now(ZoneOffset.UTC));
        ServiceBusReceivedMessageContext context = mock(ServiceBusReceivedMessageContext.class);
        when(context.getMessage()).thenReturn(message);
        when(context.getEntityPath()).thenReturn(BUS_QUEUE);
        return context;
    }

    /** Blob checkpoints as the SDK would write them, each with the twin as the API showed it at that moment. */
    static final class RecordingCheckpoints implements CheckpointStore {

        @Override
        public Flux<PartitionOwnership> listOwnership(String namespace, String hub, String group) {
            return Flux.empty();
        }

        @Override
        public Flux<PartitionOwnership> claimOwnership(List<PartitionOwnership> ownerships) {
            return Flux.fromIterable(ownerships);
        }

        @Override
        public Flux<Checkpoint> listCheckpoints(String namespace, String hub, String group) {
            return Flux.empty();
        }

        @Override
        public Mono<Void> updateCheckpoint(Checkpoint checkpoint) {
            return Mono.fromRunnable(() -> {
                try {
                    JsonNode twin = Json.parse(api.send("GET", "/digitaltwins/" + checkpointTwin, null, Map.of())
                            .body());
                    CHECKPOINTS.add(new Written(checkpoint.getPartitionId(), checkpoint.getSequenceNumber(),
                            twin.path("Temperature")));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }

    // helpers

    static void twin(String id) throws Exception {
        api.putTwin(id, "{\"$metadata\":{\"$model\":\"" + MODEL + "\"},\"Temperature\":0}", Map.of());
    }

    static JsonNode getTwin(String id) throws Exception {
        return Json.parse(api.send("GET", "/digitaltwins/" + id, null, Map.of()).body());
    }

    static Written checkpointOf(EventContext event) {
        long sequence = event.getEventData().getSequenceNumber();
        List<Written> found = CHECKPOINTS.stream().filter(c -> c.sequenceNumber() == sequence).toList();
        assertThat(found).as("checkpoints at event " + sequence).hasSize(1);
        assertThat(found.get(0).partition()).isEqualTo("0");
        return found.get(0);
    }

    static JsonNode deadLetter(String device) throws Exception {
        for (JsonNode letter : Json.parse(api.send("GET", "/ingress/deadletters", null, Map.of()).body())
                .get("value")) {
            if (device.equals(letter.path("deviceId").asText())) {
                return letter;
            }
        }
        throw new AssertionError("no ingress dead letter of " + device);
    }
}
