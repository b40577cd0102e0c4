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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.routes.testing.HttpReceiver;
import io.twingress.routes.testing.SharedKafka;
import io.twingress.routes.testing.SharedMqtt;

/**
 * Egress end to end on the embedded store: endpoints and event routes through the API, events delivered to a real
 * HTTP receiver, a real Kafka broker and a real MQTT broker in ADT's format, retries, dead letters and replay, and
 * what survives a restart. Time to live may be as short as a second here so that dead-lettering can be watched.
 */
class EgressIT {

    static final String V = "api-version=2023-10-31";
    static final String ROOM = "dtmi:egress:Room;1";
    static final HttpClient HTTP = HttpClient.newHttpClient();
    static final Map<String, String> SETTINGS = Map.of(
            "twingress.egress.minTimeToLive", "PT1S",
            "twingress.egress.pollPeriod", "20",
            "twingress.egress.syncPeriod", "500",
            "twingress.events.source", "twins.example.com");

    static Path dir;
    static TwingressServer server;

    @BeforeAll
    static void start() throws Exception {
        dir = Files.createTempDirectory("twingress-egress-it");
        server = TwingressServer.start(dir, SETTINGS);
        HttpResponse<String> upload = send("POST", "/models?" + V, "[{\"@id\":\"" + ROOM + "\",\"@type\":\"Interface\","
                + "\"@context\":\"dtmi:dtdl:context;3\",\"contents\":[{\"@type\":\"Property\",\"name\":\"Temperature\","
                + "\"schema\":\"double\"},{\"@type\":\"Property\",\"name\":\"Humidity\",\"schema\":\"double\"}]}]");
        assertThat(upload.statusCode()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aWebhookGetsTheEventsItsRouteFilterPassesInAdtsFormat() throws Exception {
        try (HttpReceiver receiver = HttpReceiver.open()) {
            putEndpoint("hook-binary", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url("/events")
                    + "\",\"authentication\":{\"type\":\"Bearer\",\"token\":\"s3cret-token\"}}");
            putRoute("hook-binary-updates", "hook-binary", "type = 'Microsoft.DigitalTwins.Twin.Update'"
                    + " AND STARTS_WITH(subject, 'wh-')");
            putTwin("wh-1", 20);
            putTwin("other-1", 20);
            send("PATCH", "/digitaltwins/other-1?" + V, "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":1}]");
            HttpResponse<String> patched = send("PATCH", "/digitaltwins/wh-1?" + V,
                    "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":21.5}]",
                    Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
            assertThat(patched.statusCode()).isEqualTo(204);

            List<HttpReceiver.Request> requests = receiver.awaitRequests(1, Duration.ofSeconds(20));
            HttpReceiver.Request event = requests.get(0);
            assertThat(event.method()).isEqualTo("POST");
            assertThat(event.path()).isEqualTo("/events");
            assertThat(event.header("ce-type")).isEqualTo("Microsoft.DigitalTwins.Twin.Update");
            assertThat(event.header("ce-subject")).isEqualTo("wh-1");
            assertThat(event.header("ce-source")).isEqualTo("twins.example.com");
            assertThat(event.header("ce-specversion")).isEqualTo("1.0");
            assertThat(event.header("ce-traceparent"))
                    .isEqualTo("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
            assertThat(event.header("Authorization")).isEqualTo("Bearer s3cret-token");
            assertThat(event.header("Content-Type")).startsWith("application/json");
            assertThat(Json.parse(event.bodyAsString())).isEqualTo(Json.parse("{\"modelId\":\"" + ROOM
                    + "\",\"patch\":[{\"value\":21.5,\"path\":\"/Temperature\",\"op\":\"replace\"}]}"));
            Thread.sleep(300);
            assertThat(receiver.requests()).as("creates and other twins are filtered out").hasSize(1);

            // the secret was taken, and is never shown
            HttpResponse<String> shown = send("GET", "/endpoints/hook-binary?" + V, null);
            assertThat(shown.body()).doesNotContain("s3cret-token");
            assertThat(Json.parse(shown.body()).at("/properties/authentication/token").isNull()).isTrue();
            deleteRouteAndEndpoint("hook-binary-updates", "hook-binary");
        }
    }

    @Test
    void structuredModeSendsTheWholeCloudEventWithTheRoutesExtras() throws Exception {
        try (HttpReceiver receiver = HttpReceiver.open()) {
            putEndpoint("hook-structured", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url("/ce")
                    + "\",\"contentMode\":\"structured\"}");
            putRoute("hook-structured-all", "hook-structured", "$body.modelId = '" + ROOM
                    + "' AND TOUCHES($body.patch, '/Humidity')", Map.of("includeState", true,
                    "includePreviousValues", true));
            putTwin("st-1", 20);
            send("PATCH", "/digitaltwins/st-1?" + V, "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":22}]");
            send("PATCH", "/digitaltwins/st-1?" + V, "[{\"op\":\"add\",\"path\":\"/Humidity\",\"value\":40}]");

            HttpReceiver.Request request = receiver.awaitRequests(1, Duration.ofSeconds(20)).get(0);
            assertThat(request.header("Content-Type")).startsWith("application/cloudevents+json");
            JsonNode event = Json.parse(request.bodyAsString());
            assertThat(event.get("specversion").asText()).isEqualTo("1.0");
            assertThat(event.get("type").asText()).isEqualTo("Microsoft.DigitalTwins.Twin.Update");
            assertThat(event.get("subject").asText()).isEqualTo("st-1");
            assertThat(event.at("/data/patch/0/path").asText()).isEqualTo("/Humidity");
            assertThat(event.at("/data/$state/Temperature").asInt()).isEqualTo(22);
            assertThat(event.at("/data/$state/Humidity").asInt()).isEqualTo(40);
            assertThat(event.at("/data/$previous").toString()).isEqualTo("{\"/Humidity\":null}");
            Thread.sleep(300);
            assertThat(receiver.requests()).as("only the patch touching /Humidity").hasSize(1);
            deleteRouteAndEndpoint("hook-structured-all", "hook-structured");
        }
    }

    @Test
    void batchedModeSendsManyEventsInOneRequest() throws Exception {
        try (HttpReceiver receiver = HttpReceiver.open()) {
            receiver.stop();
            putEndpoint("hook-batch", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url("/batch")
                    + "\",\"contentMode\":\"batch\",\"retryPolicy\":{\"initialDelay\":\"PT0.2S\","
                    + "\"maxDelay\":\"PT0.5S\"}}");
            putRoute("hook-batch-all", "hook-batch", "STARTS_WITH(subject, 'bt-')");
            for (int i = 0; i < 20; i++) {
                putTwin("bt-" + i, i);
            }
            // the receiver was down while they were committed: they come together once it is back
            receiver.start();
            java.util.Set<String> subjects = new java.util.HashSet<>();
            long end = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (subjects.size() < 20 && System.nanoTime() < end) {
                Thread.sleep(50);
                subjects.clear();
                for (HttpReceiver.Request request : receiver.requests()) {
                    assertThat(request.header("Content-Type")).startsWith("application/cloudevents-batch+json");
                    JsonNode events = Json.parse(request.bodyAsString());
                    assertThat(events.isArray()).isTrue();
                    events.forEach(e -> subjects.add(e.get("subject").asText()));
                }
            }
            assertThat(subjects).hasSize(20);
            assertThat(receiver.requests().size()).as("fewer requests than events").isLessThan(20);
            deleteRouteAndEndpoint("hook-batch-all", "hook-batch");
        }
    }

    @Test
    void kafkaGetsEveryEventWithTheCloudEventsKafkaBindingOverSasl() throws Exception {
        String topic = SharedKafka.newTopic("egress", 3);
        putEndpoint("kafka-sasl", "{\"endpointType\":\"Kafka\",\"bootstrapServers\":\""
                + SharedKafka.saslBootstrapServers() + "\",\"topic\":\"" + topic + "\",\"securityProtocol\":"
                + "\"SASL_PLAINTEXT\",\"saslMechanism\":\"PLAIN\",\"saslUsername\":\"$ConnectionString\","
                + "\"saslPassword\":\"" + SharedKafka.eventHubsConnectionString() + "\"}");
        putRoute("kafka-sasl-all", "kafka-sasl", "STARTS_WITH(subject, 'kf-')");
        for (int i = 0; i < 20; i++) {
            putTwin("kf-" + i, i);
        }
        send("POST", "/digitaltwins/kf-3/telemetry?" + V, "{\"reading\":7}", Map.of("Message-Id", "kf-m1"));

        List<ConsumerRecord<String, String>> records = SharedKafka.consume(topic, 20, Duration.ofSeconds(30));
        assertThat(records).hasSize(20);
        assertThat(records).extracting(ConsumerRecord::key)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 20)
                        .mapToObj(i -> "kf-" + i).toList());
        Map<String, String> headers = SharedKafka.headers(records.get(0));
        assertThat(headers).containsEntry("ce_type", "Microsoft.DigitalTwins.Twin.Create")
                .containsEntry("ce_specversion", "1.0").containsEntry("ce_source", "twins.example.com")
                .containsEntry("content-type", "application/json").containsKey("ce_id").containsKey("ce_time");
        assertThat(headers.get("ce_subject")).isEqualTo(records.get(0).key());
        assertThat(Json.parse(records.get(0).value()).get("$dtId").asText()).isEqualTo(records.get(0).key());
        assertThat(records).as("the telemetry has no subject, so the filter leaves it out")
                .noneMatch(r -> SharedKafka.headers(r).get("ce_type").equals("microsoft.iot.telemetry"));
        deleteRouteAndEndpoint("kafka-sasl-all", "kafka-sasl");
    }

    @Test
    void mqttGetsStructuredEventsOnTopicsPerTwin() throws Exception {
        BlockingQueue<String[]> received = new LinkedBlockingQueue<>();
        MqttClient subscriber = new MqttClient(SharedMqtt.url(), "egress-it-sub", new MemoryPersistence());
        subscriber.setCallback(new MqttCallback() {
            @Override
            public void messageArrived(String topic, MqttMessage message) {
                received.add(new String[] {topic, new String(message.getPayload(), StandardCharsets.UTF_8)});
            }

            @Override
            public void disconnected(MqttDisconnectResponse response) {
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
            }

            @Override
            public void deliveryComplete(IMqttToken token) {
            }

            @Override
            public void connectComplete(boolean reconnect, String serverUri) {
            }

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {
            }
        });
        subscriber.connect(new MqttConnectionOptions());
        subscriber.subscribe("egress-it/#", 1);
        try {
            putEndpoint("mqtt-twins", "{\"endpointType\":\"Mqtt\",\"brokerUrl\":\"" + SharedMqtt.url()
                    + "\",\"topic\":\"egress-it/{twinId}/events\",\"qos\":1}");
            putRoute("mqtt-twins-telemetry", "mqtt-twins", "type = 'microsoft.iot.telemetry'");
            putTwin("mq-1", 1);
            HttpResponse<String> sent = send("POST", "/digitaltwins/mq-1/telemetry?" + V, "{\"reading\":7}",
                    Map.of("Message-Id", "mq-m1"));
            assertThat(sent.statusCode()).isEqualTo(204);

            String[] message = received.poll(20, TimeUnit.SECONDS);
            assertThat(message).isNotNull();
            assertThat(message[0]).isEqualTo("egress-it/mq-1/events");
            JsonNode event = Json.parse(message[1]);
            assertThat(event.get("type").asText()).isEqualTo("microsoft.iot.telemetry");
            assertThat(event.get("id").asText()).isEqualTo("mq-m1");
            assertThat(event.get("source").asText()).isEqualTo("twins.example.com/digitaltwins/mq-1");
            assertThat(event.get("dataschema").asText()).isEqualTo(ROOM);
            assertThat(event.get("data")).isEqualTo(Json.parse("{\"reading\":7}"));
            deleteRouteAndEndpoint("mqtt-twins-telemetry", "mqtt-twins");
        } finally {
            subscriber.disconnect();
            subscriber.close();
        }
    }

    @Test
    void anEndpointDownPastItsTimeToLiveIsDeadLetteredAndReplayDeliversEveryEvent() throws Exception {
        try (HttpReceiver receiver = HttpReceiver.open()) {
            receiver.stop();
            putEndpoint("hook-down", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url("/down")
                    + "\",\"timeout\":\"PT2S\",\"retryPolicy\":{\"timeToLive\":\"PT3S\",\"initialDelay\":\"PT0.2S\","
                    + "\"maxDelay\":\"PT0.5S\"}}");
            putRoute("hook-down-all", "hook-down", "STARTS_WITH(subject, 'dl-')");
            Set<String> sent = new java.util.HashSet<>();
            for (int i = 0; i < 5; i++) {
                putTwin("dl-" + i, i);
            }
            List<JsonNode> deadLetters = awaitDeadLetters("hook-down", 5, Duration.ofSeconds(30));
            // the first is retried until its time to live ran out; by then the others' had too
            assertThat(deadLetters).anyMatch(letter -> letter.get("attempts").asInt() > 3);
            for (JsonNode letter : deadLetters) {
                assertThat(letter.get("reason").asText()).contains("Connect");
                assertThat(letter.get("attempts").asInt()).isPositive();
                assertThat(letter.at("/event/type").asText()).isEqualTo("Microsoft.DigitalTwins.Twin.Create");
                sent.add(letter.get("eventId").asText());
            }
            assertThat(healthOf("egress-endpoints")).isEqualTo("DOWN");
            // one letter by its event's id, as the list shows it
            JsonNode first = deadLetters.get(0);
            HttpResponse<String> one = send("GET", "/endpoints/hook-down/deadletters/"
                    + first.get("eventId").asText() + "?" + V, null);
            assertThat(one.statusCode()).isEqualTo(200);
            assertThat(Json.parse(one.body())).isEqualTo(first);
            assertAdtError(send("GET", "/endpoints/hook-down/deadletters/no-such-event?" + V, null), 404,
                    "DeadLetterNotFound", "no-such-event");
            assertAdtError(send("GET", "/endpoints/no-such-hook/deadletters/x?" + V, null), 404, "EndpointNotFound",
                    "no-such-hook");
            assertThat(metrics())
                    .containsPattern("twingress_egress_dead_lettered_total\\{endpoint=\"hook-down\",?\\} 5")
                    .containsPattern("twingress_egress_dead_letters\\{endpoint=\"hook-down\",?\\} 5");

            // a misspelled body (the ingress letters' "ids") is refused, not read as "all"
            for (String body : List.of("{\"ids\":[\"x\"]}", "{\"eventIds\":null}", "[\"x\"]")) {
                HttpResponse<String> refused = send("POST", "/endpoints/hook-down/deadletters:purge?" + V, body);
                assertThat(refused.statusCode()).as(body).isEqualTo(400);
            }
            receiver.start();
            HttpResponse<String> replay = send("POST", "/endpoints/hook-down/deadletters:replay?" + V, "");
            assertThat(replay.statusCode()).isEqualTo(200);
            assertThat(Json.parse(replay.body()).get("count").asInt()).isEqualTo(5);

            List<HttpReceiver.Request> requests = receiver.awaitRequests(5, Duration.ofSeconds(20));
            Set<String> delivered = requests.stream().map(r -> r.header("ce-id")).collect(Collectors.toSet());
            assertThat(delivered).containsExactlyInAnyOrderElementsOf(sent);
            assertThat(Json.parse(send("GET", "/endpoints/hook-down/deadletters?" + V, null).body()).get("value"))
                    .isEmpty();
            deleteRouteAndEndpoint("hook-down-all", "hook-down");
            // a deleted endpoint's meters leave with it
            assertThat(metrics()).doesNotContain("endpoint=\"hook-down\"");
        }
    }

    static String metrics() throws Exception {
        HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create(server.managementUrl()
                + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        return metrics.body();
    }

    /**
     * A webhook URL's query goes to the receiver as it was written: Camel reads an endpoint URI's query as its
     * options, where {@code throwExceptionOnFailure=false} made every refusal count as delivered (the event lost).
     */
    @Test
    void aWebhookUrlsQueryIsSentToTheReceiverNotReadAsOptions() throws Exception {
        try (HttpReceiver receiver = HttpReceiver.open()) {
            receiver.failNext(2, 503);
            String query = "throwExceptionOnFailure=false&httpMethod=GET&code=a%2Bb";
            putEndpoint("hook-query", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url("/q") + "?" + query
                    + "\",\"retryPolicy\":{\"initialDelay\":\"PT0.1S\",\"maxDelay\":\"PT0.2S\"}}");
            putRoute("hook-query-all", "hook-query", "subject = 'query-1'");
            putTwin("query-1", 1);
            // refused twice, then taken: the refusals were retried, not counted as deliveries
            List<HttpReceiver.Request> requests = receiver.awaitRequests(3, Duration.ofSeconds(30));
            assertThat(requests).extracting(HttpReceiver.Request::status).containsExactly(503, 503, 200);
            for (HttpReceiver.Request request : requests) {
                assertThat(request.method()).isEqualTo("POST");
                assertThat(request.path()).isEqualTo("/q");
                assertThat(request.query()).isEqualTo(query);
            }
            assertThat(Json.parse(send("GET", "/endpoints/hook-query/deadletters?" + V, null).body()).get("value"))
                    .isEmpty();
            deleteRouteAndEndpoint("hook-query-all", "hook-query");
        }
    }

    @Test
    void deadLettersGoToFilesAsAdtLaysThemOutOrToAKafkaTopic() throws Exception {
        // relative to twingress.egress.deadLetterDirectory (data/deadletters by default), and refused outside it
        assertAdtError(send("PUT", "/endpoints/hook-outside?" + V, "{\"properties\":{\"endpointType\":\"Webhook\","
                + "\"url\":\"http://127.0.0.1:9/\",\"deadLetter\":{\"type\":\"Files\","
                + "\"directory\":\"../../elsewhere\"}}}"), 400, "InvalidArgument", "twingress.egress.deadLetterDirectory");
        assertAdtError(send("PUT", "/endpoints/hook-outside?" + V, "{\"properties\":{\"endpointType\":\"Webhook\","
                + "\"url\":\"http://127.0.0.1:9/\",\"deadLetterUri\":\"file:///tmp\"}}"), 400, "InvalidArgument",
                "twingress.egress.deadLetterDirectory");
        Path files = server.dataDir().resolve("deadletters").resolve("dead-letters");
        String topic = SharedKafka.newTopic("dead-letters", 1);
        putEndpoint("hook-files", "{\"endpointType\":\"Webhook\",\"url\":\"http://127.0.0.1:9/\","
                + "\"retryPolicy\":{\"timeToLive\":\"PT1S\",\"initialDelay\":\"PT0.1S\"},"
                + "\"deadLetter\":{\"type\":\"Files\",\"directory\":\"dead-letters\"}}");
        putEndpoint("hook-kafka-dl", "{\"endpointType\":\"Webhook\",\"url\":\"http://127.0.0.1:9/\","
                + "\"retryPolicy\":{\"timeToLive\":\"PT1S\",\"initialDelay\":\"PT0.1S\"},"
                + "\"deadLetter\":{\"type\":\"Kafka\",\"bootstrapServers\":\"" + SharedKafka.bootstrapServers()
                + "\",\"topic\":\"" + topic + "\"}}");
        putRoute("hook-files-all", "hook-files", "subject = 'dlf-1'");
        putRoute("hook-kafka-dl-all", "hook-kafka-dl", "subject = 'dlf-1'");
        putTwin("dlf-1", 1);

        List<ConsumerRecord<String, String>> records = SharedKafka.consume(topic, 1, Duration.ofSeconds(30));
        JsonNode event = Json.parse(records.get(0).value());
        assertThat(event.get("subject").asText()).isEqualTo("dlf-1");
        assertThat(records.get(0).key()).isEqualTo(event.get("id").asText());
        Map<String, String> headers = SharedKafka.headers(records.get(0));
        assertThat(headers.get("twingress_deadletter_reason")).contains("Connect");
        assertThat(Integer.parseInt(headers.get("twingress_deadletter_attempts"))).isPositive();
        assertThat(headers.get("content-type")).startsWith("application/cloudevents+json");

        List<Path> written = awaitJsonFiles(files, 1, Duration.ofSeconds(30));
        assertThat(written).hasSize(1);
        // <endpoint>/<yyyy>/<MM>/<dd>/<HH>/<eventId>.json
        Path relative = files.relativize(written.get(0));
        assertThat(relative.getNameCount()).isEqualTo(6);
        assertThat(relative.getName(0).toString()).isEqualTo("hook-files");
        assertThat(relative.subpath(1, 5).toString()).matches("\\d{4}/\\d{2}/\\d{2}/\\d{2}");
        JsonNode fileEvent = Json.parse(Files.readString(written.get(0)));
        assertThat(relative.getName(5).toString()).isEqualTo(fileEvent.get("id").asText() + ".json");
        assertThat(fileEvent.get("subject").asText()).isEqualTo("dlf-1");
        assertAdtError(send("GET", "/endpoints/hook-files/deadletters?" + V, null), 400, "OperationNotAllowed",
                "files");
        deleteRouteAndEndpoint("hook-files-all", "hook-files");
        deleteRouteAndEndpoint("hook-kafka-dl-all", "hook-kafka-dl");
    }

    /** Each attempt is one request: the HTTP client does not retry a 503 or 429 inside an attempt on its own. */
    @Test
    void everyAttemptOnAnUnavailableReceiverIsOneRequest() throws Exception {
        try (HttpReceiver receiver = HttpReceiver.open()) {
            receiver.failWith(503);
            putEndpoint("hook-busy", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url("/busy")
                    + "\",\"retryPolicy\":{\"timeToLive\":\"PT2S\",\"initialDelay\":\"PT0.2S\","
                    + "\"maxDelay\":\"PT0.5S\"}}");
            putRoute("hook-busy-all", "hook-busy", "subject = 'busy-1'");
            putTwin("busy-1", 1);
            JsonNode letter = awaitDeadLetters("hook-busy", 1, Duration.ofSeconds(30)).get(0);
            assertThat(letter.get("attempts").asInt()).isGreaterThan(1).isEqualTo(receiver.requests().size());
            deleteRouteAndEndpoint("hook-busy-all", "hook-busy");
        }
    }

    /**
     * A twin's changes reach a webhook in the order they were made, also when one of them has to be sent again: the
     * events of one subject go one after another, those of different subjects at once.
     */
    @Test
    void oneTwinsEventsArriveInCommitOrderAlsoWhenOneIsSentAgain() throws Exception {
        try (HttpReceiver receiver = HttpReceiver.open()) {
            putTwin("ord-a", 0);
            putTwin("ord-b", 0);
            putEndpoint("hook-order", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url("/events")
                    + "\",\"retryPolicy\":{\"initialDelay\":\"PT0.3S\",\"maxDelay\":\"PT0.3S\"}}");
            putRoute("hook-order-updates", "hook-order", "type = 'Microsoft.DigitalTwins.Twin.Update'"
                    + " AND STARTS_WITH(subject, 'ord-')");
            receiver.failNext(1, 503);
            int changes = 30;
            for (int i = 1; i <= changes; i++) {
                for (String twin : List.of("ord-a", "ord-b")) {
                    assertThat(send("PATCH", "/digitaltwins/" + twin + "?" + V, "[{\"op\":\"replace\","
                            + "\"path\":\"/Temperature\",\"value\":" + i + "}]").statusCode()).isEqualTo(204);
                }
            }
            List<HttpReceiver.Request> requests = receiver.awaitRequests(2 * changes + 1, Duration.ofSeconds(30));
            assertThat(requests).hasSize(2 * changes + 1);
            List<Integer> expected = IntStream.rangeClosed(1, changes).boxed().toList();
            for (String twin : List.of("ord-a", "ord-b")) {
                List<Integer> arrived = new ArrayList<>();
                requests.stream().filter(r -> twin.equals(r.header("ce-subject")))
                        .map(r -> Json.parse(r.bodyAsString()).at("/patch/0/value").asInt()).forEach(arrived::add);
                // the refused attempt and its resend are the same event, one after the other
                List<Integer> distinct = new ArrayList<>();
                arrived.forEach(v -> {
                    if (distinct.isEmpty() || !distinct.get(distinct.size() - 1).equals(v)) {
                        distinct.add(v);
                    }
                });
                assertThat(distinct).as("values for " + twin + " as they arrived: " + arrived).isEqualTo(expected);
            }
            deleteRouteAndEndpoint("hook-order-updates", "hook-order");
        }
    }

    /**
     * An event whose dead letter cannot be kept fails its batch, which is read again until it can be kept; meanwhile
     * the later events of its subject are not sent ahead of it, and none is skipped.
     */
    @Test
    void aSubjectsLaterEventWaitsWhileAnEarlierOneCannotBeDeadLetteredAndNothingIsLost() throws Exception {
        Path blocked = server.dataDir().resolve("deadletters").resolve("blocked-dl");
        Files.createDirectories(blocked.getParent());
        Files.writeString(blocked, "a file where the dead letters' directory would be");
        try (HttpReceiver receiver = HttpReceiver.open()) {
            receiver.failWith(400);
            putEndpoint("hook-blocked", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url("/events")
                    + "\",\"deadLetter\":{\"type\":\"Files\",\"directory\":\"blocked-dl\"}}");
            putRoute("hook-blocked-updates", "hook-blocked", "type = 'Microsoft.DigitalTwins.Twin.Update'"
                    + " AND subject = 'blk-1'");
            putTwin("blk-1", 0);
            for (int value = 1; value <= 2; value++) {
                assertThat(send("PATCH", "/digitaltwins/blk-1?" + V, "[{\"op\":\"replace\",\"path\":"
                        + "\"/Temperature\",\"value\":" + value + "}]").statusCode()).isEqualTo(204);
            }
            // refused for good and not kept: the batch is read again (after 1 s, then 2 s), the first event each time
            receiver.awaitRequests(3, Duration.ofSeconds(20));
            assertThat(values(receiver)).as("values sent while the dead letter cannot be kept").containsOnly(1);

            Files.delete(blocked);
            List<Integer> kept = new ArrayList<>();
            for (Path letter : awaitJsonFiles(blocked, 2, Duration.ofSeconds(30))) {
                kept.add(Json.parse(Files.readString(letter)).at("/data/patch/0/value").asInt());
            }
            assertThat(kept).as("both dead-lettered once the directory can be made").containsExactlyInAnyOrder(1, 2);
            List<Integer> sent = values(receiver);
            assertThat(sent.subList(0, sent.size() - 1)).as("sent: " + sent).containsOnly(1);
            assertThat(sent.get(sent.size() - 1)).as("sent: " + sent).isEqualTo(2);
            deleteRouteAndEndpoint("hook-blocked-updates", "hook-blocked");
        }
    }

    /** The {@code .json} files under {@code dir} once there are {@code count}, or those there after {@code timeout}. */
    private static List<Path> awaitJsonFiles(Path dir, int count, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        List<Path> found = List.of();
        while (found.size() < count && System.nanoTime() < end) {
            Thread.sleep(100);
            if (Files.isDirectory(dir)) {
                try (var walk = Files.walk(dir)) {
                    found = walk.filter(f -> f.toString().endsWith(".json")).toList();
                }
            }
        }
        return found;
    }

    private static List<Integer> values(HttpReceiver receiver) {
        return receiver.requests().stream().map(r -> Json.parse(r.bodyAsString()).at("/patch/0/value").asInt())
                .toList();
    }

    @Test
    void aRefusedEventIsDeadLetteredAtOnceAndOneFailingEndpointDoesNotHoldUpAnother() throws Exception {
        try (HttpReceiver failing = HttpReceiver.open(); HttpReceiver healthy = HttpReceiver.open()) {
            failing.failWith(503);
            putEndpoint("hook-failing", "{\"endpointType\":\"Webhook\",\"url\":\"" + failing.url() + "\"}");
            putEndpoint("hook-healthy", "{\"endpointType\":\"Webhook\",\"url\":\"" + healthy.url() + "\"}");
            putRoute("hook-failing-all", "hook-failing", "STARTS_WITH(subject, 'iso-')");
            putRoute("hook-healthy-all", "hook-healthy", "STARTS_WITH(subject, 'iso-')");
            for (int i = 0; i < 10; i++) {
                putTwin("iso-" + i, i);
            }
            assertThat(healthy.awaitRequests(10, Duration.ofSeconds(20))).hasSize(10);
            assertThat(failing.requests()).as("the failing one is being retried").isNotEmpty();

            // a 400 cannot get better by retrying: dead-lettered after one attempt, and the next event goes on
            failing.failWith(400);
            List<JsonNode> letters = awaitDeadLetters("hook-failing", 1, Duration.ofSeconds(30));
            assertThat(letters.get(0).get("reason").asText()).contains("400");
            failing.recover();
            assertThat(failing.awaitRequests(10, Duration.ofSeconds(30))).hasSizeGreaterThanOrEqualTo(10);
            send("DELETE", "/eventroutes/hook-failing-all?" + V, null);
            send("DELETE", "/eventroutes/hook-healthy-all?" + V, null);
            send("DELETE", "/endpoints/hook-failing?" + V, null);
            send("DELETE", "/endpoints/hook-healthy?" + V, null);
        }
    }

    @Test
    void theManagementApisHaveTheDataPlanesFace() throws Exception {
        assertAdtError(send("PUT", "/endpoints/bad?" + V, "{\"properties\":{\"endpointType\":\"Ftp\"}}"), 400,
                "InvalidArgument", "endpointType");
        assertAdtError(send("PUT", "/endpoints/x?" + V, "{\"properties\":{\"endpointType\":\"Webhook\","
                + "\"url\":\"http://h/\"}}"), 400, "InvalidArgument", "name");
        assertAdtError(send("GET", "/endpoints/missing?" + V, null), 404, "EndpointNotFound", "missing");
        assertAdtError(send("GET", "/endpoints?api-version=1999-01-01", null), 400, "InvalidApiVersionParameter",
                "1999-01-01");
        assertAdtError(send("PUT", "/eventroutes/r1?" + V, "{\"endpointName\":\"missing\",\"filter\":\"true\"}"),
                400, "EventRouteEndpointInvalid", "missing");
        putEndpoint("face-hook", "{\"endpointType\":\"Webhook\",\"url\":\"http://127.0.0.1:9/x\"}");
        assertAdtError(send("PUT", "/eventroutes/r1?" + V, "{\"endpointName\":\"face-hook\",\"filter\":"
                + "\"type = \"}"), 400, "EventRouteFilterInvalid", "position 8");
        assertAdtError(send("GET", "/eventroutes/none?" + V, null), 404, "EventRouteNotFound", "none");
        // a name nothing can have is not found, as any other missing name
        assertAdtError(send("GET", "/eventroutes/a%2Fb?" + V, null), 404, "EventRouteNotFound", "a/b");
        assertAdtError(send("DELETE", "/eventroutes/a%2Fb?" + V, null), 404, "EventRouteNotFound", "a/b");
        assertAdtError(send("GET", "/endpoints/a%2Fb?" + V, null), 404, "EndpointNotFound", "a/b");
        assertAdtError(send("PUT", "/eventroutes/a%2Fb?" + V, "{\"endpointName\":\"face-hook\",\"filter\":\"true\"}"),
                400, "InvalidArgument", "a/b");
        for (int i = 0; i < 3; i++) {
            putRoute("face-" + i, "face-hook", "false");
        }
        JsonNode first = Json.parse(send("GET", "/eventroutes?" + V, null, Map.of("max-items-per-page", "2")).body());
        assertThat(first.get("value")).hasSize(2);
        assertThat(first.get("value").get(0).get("id").asText()).isEqualTo("face-0");
        String next = first.get("nextLink").asText();
        JsonNode second = Json.parse(HTTP.send(HttpRequest.newBuilder(URI.create(next))
                .header("max-items-per-page", "2").build(), HttpResponse.BodyHandlers.ofString()).body());
        assertThat(second.get("value").get(0).get("id").asText()).isEqualTo("face-2");
        assertThat(second.get("nextLink").isNull()).isTrue();
        // a list takes only its own tokens
        java.util.regex.Matcher token = java.util.regex.Pattern.compile("continuationToken=([^&]+)").matcher(next);
        assertThat(token.find()).isTrue();
        assertAdtError(send("GET", "/endpoints?" + V + "&continuationToken=" + token.group(1), null), 400,
                "InvalidArgument", "continuationToken");
        assertAdtError(send("DELETE", "/endpoints/face-hook?" + V, null), 400, "OperationNotAllowed", "face-0");
        for (int i = 0; i < 3; i++) {
            assertThat(send("DELETE", "/eventroutes/face-" + i + "?" + V, null).statusCode()).isEqualTo(204);
        }
        assertThat(send("DELETE", "/endpoints/face-hook?" + V, null).statusCode()).isEqualTo(204);
        assertAdtError(send("GET", "/endpoints/face-hook/deadletters?" + V, null), 404, "EndpointNotFound",
                "face-hook");
    }

    @Test
    void endpointsAndRoutesSurviveARestartAndDeliverWhatWasCommittedMeanwhile() throws Exception {
        try (HttpReceiver receiver = HttpReceiver.open()) {
            putEndpoint("hook-restart", "{\"endpointType\":\"Webhook\",\"url\":\"" + receiver.url() + "\"}");
            putRoute("hook-restart-all", "hook-restart", "STARTS_WITH(subject, 'rs-')");
            putTwin("rs-1", 1);
            receiver.awaitRequests(1, Duration.ofSeconds(20));
            receiver.stop();
            putTwin("rs-2", 2);
            server.close();
            server = TwingressServer.start(dir, SETTINGS);
            receiver.start();
            putTwin("rs-3", 3);
            // at least once: rs-2's batch may have been sent before the stop and again after the start
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Set<String> subjects = Set.of();
            while (subjects.size() < 3 && System.nanoTime() < end) {
                Thread.sleep(50);
                subjects = receiver.requests().stream().map(r -> r.header("ce-subject")).collect(Collectors.toSet());
            }
            assertThat(subjects).containsExactlyInAnyOrder("rs-1", "rs-2", "rs-3");
            assertThat(Json.parse(send("GET", "/eventroutes/hook-restart-all?" + V, null).body())
                    .get("endpointName").asText()).isEqualTo("hook-restart");
            deleteRouteAndEndpoint("hook-restart-all", "hook-restart");
        }
    }

    // helpers

    static List<JsonNode> awaitDeadLetters(String endpoint, int count, Duration timeout) throws Exception {
        long end = System.nanoTime() + timeout.toNanos();
        List<JsonNode> found = new ArrayList<>();
        while (System.nanoTime() < end) {
            found.clear();
            Json.parse(send("GET", "/endpoints/" + endpoint + "/deadletters?" + V, null).body()).get("value")
                    .forEach(found::add);
            if (found.size() >= count) {
                return found;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("expected " + count + " dead letters of " + endpoint + ", found " + found.size());
    }

    static String healthOf(String check) throws Exception {
        JsonNode health = Json.parse(HTTP.send(HttpRequest.newBuilder(URI.create(server.managementUrl()
                + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode c : health.path("checks")) {
            if (c.path("name").asText().equals(check)) {
                return c.path("status").asText();
            }
        }
        return health.path("status").asText();
    }

    static void putTwin(String id, double temperature) throws Exception {
        HttpResponse<String> put = send("PUT", "/digitaltwins/" + id + "?" + V, "{\"$metadata\":{\"$model\":\""
                + ROOM + "\"},\"Temperature\":" + temperature + "}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    static void putEndpoint(String name, String properties) throws Exception {
        HttpResponse<String> put = send("PUT", "/endpoints/" + name + "?" + V, "{\"properties\":" + properties + "}");
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    }

    static void putRoute(String id, String endpoint, String filter) throws Exception {
        putRoute(id, endpoint, filter, Map.of());
    }

    static void putRoute(String id, String endpoint, String filter, Map<String, Object> extras) throws Exception {
        var body = Json.object().put("endpointName", endpoint).put("filter", filter);
        extras.forEach((k, v) -> body.put(k, (Boolean) v));
        HttpResponse<String> put = send("PUT", "/eventroutes/" + id + "?" + V, Json.write(body));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(204);
    }

    static void deleteRouteAndEndpoint(String route, String endpoint) throws Exception {
        assertThat(send("DELETE", "/eventroutes/" + route + "?" + V, null).statusCode()).isEqualTo(204);
        assertThat(send("DELETE", "/endpoints/" + endpoint + "?" + V, null).statusCode()).isEqualTo(204);
    }

    static void assertAdtError(HttpResponse<String> response, int status, String code, String... mentions) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
        JsonNode error = Json.parse(response.body()).get("error");
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("message").asText()).contains(mentions);
        assertThat(response.headers().firstValue("x-ms-error-code")).hasValue(code);
    }

    static HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(method, path, body, Map.of());
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
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
