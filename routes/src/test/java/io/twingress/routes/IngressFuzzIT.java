package io.twingress.routes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.routes.testing.RawHttp;
import io.twingress.routes.testing.SharedKafka;
import io.twingress.routes.testing.SharedMqtt;
import io.twingress.routes.testing.TwingressApi;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Hostile messages on every ingestion path, mutated from a good one with a fixed seed: IoT Hub's device HTTP path and
 * webhooks get no 5xx and an error in ADT's shape; through the real Kafka and MQTT connectors each message is refused
 * into the ingress dead letters with a reason; and a good message sent after the garbage still updates its twin, so
 * neither the server nor a connector's stream is stalled.
 */
class IngressFuzzIT {

    static final long SEED = 20261201L;
    static final String MODEL = "dtmi:test:Fuzz;1";
    /** Smaller than Twingress's default, so an oversized body costs 100 KB rather than 32 MB. */
    static final int MAX_BODY = 65_536;

    static final Pattern CONTINUATION = Pattern.compile("[?&](continuationToken=[^&]+)");

    static TwingressServer server;
    static TwingressApi api;
    static String topic;

    @BeforeAll
    static void start() throws Exception {
        topic = SharedKafka.newTopic("fuzz", 1);
        Map<String, String> props = new LinkedHashMap<>();
        props.put("camel.server.maxBodySize", Integer.toString(MAX_BODY));
        props.put("twingress.ingress.webhooks", "byheader=header:X-Device-Id,bybody=body:device.id");
        props.put("twingress.ingress.kafka.enabled", "true");
        props.put("twingress.ingress.kafka.brokers", SharedKafka.bootstrapServers());
        props.put("twingress.ingress.kafka.topics", topic);
        props.put("twingress.ingress.kafka.groupId", "fuzz-" + UUID.randomUUID());
        props.put("twingress.ingress.mqtt.enabled", "true");
        props.put("twingress.ingress.mqtt.brokerUrl", SharedMqtt.url());
        props.put("twingress.ingress.mqtt.clientId", "fuzz-" + UUID.randomUUID());
        props.put("twingress.ingress.mqtt.topics", "fuzz/+/messages/events/#");
        props.put("twingress.ingress.mqtt.deviceIdPattern", "^fuzz/([^/]+)/");
        server = TwingressServer.start(Files.createTempDirectory("twingress-ingress-fuzz-it"), props);
        api = new TwingressApi(server.baseUrl());
        api.putModel(MODEL, "Temperature");
        for (String twin : List.of("good-http", "good-kafka", "good-mqtt")) {
            api.putTwin(twin, "{\"$metadata\":{\"$model\":\"" + MODEL + "\"},\"Temperature\":0}", Map.of());
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void hostileHttpMessagesAreAnswered4xxAndTheServerGoesOn() throws Exception {
        Random random = new Random(SEED);
        List<String> contentTypes = List.of("application/json", "text/plain", "application/octet-stream",
                "application/json; charset=utf-16", "garbage/;;;", "");
        int refusedIntoDeadLetters = 0;
        for (int i = 0; i < 300; i++) {
            Map<String, String> headers = new LinkedHashMap<>();
            String contentType = contentTypes.get(random.nextInt(contentTypes.size()));
            if (!contentType.isEmpty()) {
                headers.put("Content-Type", contentType);
            }
            if (random.nextInt(4) == 0) {
                headers.put("iothub-contentencoding", random.nextBoolean() ? "base64" : "gzip");
            }
            if (random.nextInt(4) == 0) {
                headers.put("iothub-creation-time-utc", random.nextBoolean() ? "yesterday" : "9999-99-99T99:99:99Z");
            }
            headers.put("Message-Id", random.nextInt(5) == 0 ? "same" : "http-" + i);
            String device = oddDeviceId(random, "good-http");
            String target;
            byte[] body = hostileBody(random);
            switch (random.nextInt(3)) {
                case 0 -> target = "/devices/" + device + "/messages/events";
                case 1 -> {
                    target = "/ingress/webhooks/byheader";
                    if (random.nextBoolean()) {
                        headers.put("X-Device-Id", device);
                    }
                }
                default -> {
                    target = "/ingress/webhooks/" + (random.nextInt(5) == 0 ? "nosuchhook" : "bybody");
                    if (random.nextBoolean()) {
                        body = ("{\"device\":{\"id\":" + (random.nextBoolean() ? "\"" + device + "\"" : "[1]")
                                + "},\"Temperature\":").getBytes(StandardCharsets.UTF_8);
                    }
                }
            }
            RawHttp.Reply reply = RawHttp.send(server.baseUrl(), "POST", target, body, headers);
            String what = target + " " + headers + " " + preview(body) + " -> " + reply;
            assertThat(reply.status()).as(what).isLessThan(500);
            if (reply.status() < 400) {
                continue;
            }
            JsonNode error = Json.parse(reply.body());
            assertThat(error.at("/error/code").asText()).as(what).isNotEmpty();
            assertThat(error.at("/error/message").asText()).as(what).isNotEmpty();
            if (error.at("/error/message").asText().contains("kept in the ingress dead letters")) {
                refusedIntoDeadLetters++;
            }
        }
        // every message answered as dead-lettered is there, with its reason
        List<JsonNode> letters = deadLetters(source -> source.startsWith("http:"));
        assertThat(letters).hasSize(refusedIntoDeadLetters);
        assertThat(letters).allSatisfy(l -> assertThat(l.path("reason").asText()).isNotBlank());

        RawHttp.Reply good = RawHttp.send(server.baseUrl(), "POST", "/devices/good-http/messages/events",
                "{\"Temperature\":42}".getBytes(StandardCharsets.UTF_8), Map.of("Content-Type", "application/json"));
        assertThat(good.status()).as(good.body()).isEqualTo(204);
        assertThat(temperature("good-http")).isEqualTo(42);
    }

    @Test
    void hostileKafkaAndMqttMessagesAreDeadLetteredAndTheStreamsGoOn() throws Exception {
        Random random = new Random(SEED + 1);
        int count = 120;
        Properties client = SharedKafka.plaintextClientProperties();
        client.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        client.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        MqttClient mqtt = new MqttClient(SharedMqtt.url(), "fuzz-sender-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        mqtt.connect(options);
        try (KafkaProducer<String, byte[]> kafka = new KafkaProducer<>(client)) {
            for (int i = 0; i < count; i++) {
                ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic,
                        refusable(random, "good-kafka"), refusableBody(random));
                if (random.nextInt(4) == 0) {
                    record.headers().add("iothub-contentencoding", "base64".getBytes(StandardCharsets.UTF_8));
                }
                if (random.nextInt(4) == 0) {
                    record.headers().add("content-type", new byte[] {(byte) 0xff, 0, 'x'});
                }
                kafka.send(record);
                MqttMessage message = new MqttMessage(refusableBody(random));
                message.setQos(1);
                mqtt.publish("fuzz/" + refusable(random, "good-mqtt") + "/messages/events/", message);
            }
            // the good messages come after all the garbage, on the same topics
            kafka.send(new ProducerRecord<>(topic, "good-kafka",
                    "{\"Temperature\":7}".getBytes(StandardCharsets.UTF_8))).get(30, TimeUnit.SECONDS);
            MqttMessage good = new MqttMessage("{\"Temperature\":8}".getBytes(StandardCharsets.UTF_8));
            good.setQos(1);
            mqtt.publish("fuzz/good-mqtt/messages/events/", good);
        } finally {
            mqtt.disconnect();
            mqtt.close();
        }
        awaitTemperature("good-kafka", 7);
        awaitTemperature("good-mqtt", 8);
        List<JsonNode> kafkaLetters = deadLetters(source -> source.equals("kafka:" + topic));
        List<JsonNode> mqttLetters = deadLetters(source -> source.equals("mqtt"));
        assertThat(kafkaLetters).hasSize(count)
                .allSatisfy(l -> assertThat(l.path("reason").asText()).isNotBlank());
        assertThat(mqttLetters).hasSize(count)
                .allSatisfy(l -> assertThat(l.path("reason").asText()).isNotBlank());
        assertThat(api.send("GET", "/models", null, Map.of()).statusCode()).isEqualTo(200);
    }

    /**
     * A body that is hostile but may be good JSON (so an HTTP request may be refused for its headers or device id
     * instead): deeply nested, huge numbers, not UTF-8, base64 of nothing, NUL, oversized, or a good one.
     */
    static byte[] hostileBody(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> "{\"Temperature\":1}".getBytes(StandardCharsets.UTF_8);
            case 1 -> "x".repeat(MAX_BODY + 1 + random.nextInt(40_000)).getBytes(StandardCharsets.UTF_8);
            default -> refusableBody(random);
        };
    }

    /** A body no device may send for a twin with a double Temperature: each must be refused with a reason. */
    static byte[] refusableBody(Random random) {
        String good = "{\"Temperature\":21.5}";
        int depth = 500 + random.nextInt(20_000);
        return switch (random.nextInt(14)) {
            case 0 -> good.substring(0, random.nextInt(good.length())).getBytes(StandardCharsets.UTF_8);
            case 1 -> ("{\"Temperature\":" + "[".repeat(depth) + "]".repeat(depth) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            case 2 -> ("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8);
            case 3 -> ("{\"Temperature\":" + (random.nextBoolean() ? "-" : "") + "1e" + (400 + random.nextInt(999_999))
                    + "}").getBytes(StandardCharsets.UTF_8);
            case 4 -> ("{\"Temperature\":1" + "0".repeat(400 + random.nextInt(5_000)) + "}")
                    .getBytes(StandardCharsets.UTF_8);
            case 5 -> new byte[] {'{', '"', 'T', 'e', 'm', 'p', 'e', 'r', 'a', 't', 'u', 'r', 'e', '"', ':',
                (byte) 0xff, (byte) 0xfe, (byte) 0xc3, '}'};
            case 6 -> {
                byte[] noise = new byte[1 + random.nextInt(2_000)];
                random.nextBytes(noise);
                yield noise;
            }
            case 7 -> "////+++==\u0000=".getBytes(StandardCharsets.UTF_8);
            case 8 -> "{\"Temperature\":\"warm\"}".getBytes(StandardCharsets.UTF_8);
            case 9 -> "{\"Temperature\":{\"$ref\":[1,{}]}}".getBytes(StandardCharsets.UTF_8);
            case 10 -> List.of("[1,2]", "\"text\"", "42", "null", "true").get(random.nextInt(5))
                    .getBytes(StandardCharsets.UTF_8);
            case 11 -> "{\"NoSuchProperty\":1,\"$metadata\":{\"$model\":\"dtmi:x:y;1\"}}"
                    .getBytes(StandardCharsets.UTF_8);
            case 12 -> "\uFEFF\u0000{\"Temperature\":1}".getBytes(StandardCharsets.UTF_16);
            default -> "{\"Temperature\":1,\"Temperature\":NaN}".getBytes(StandardCharsets.UTF_8);
        };
    }

    /** A device id as an attacker would pick it; never {@code good}, so every message with it is refused. */
    static String oddDeviceId(Random random, String good) {
        return switch (random.nextInt(8)) {
            case 0 -> good;
            case 1 -> "%FF%FE";
            case 2 -> "..";
            case 3 -> "%00";
            case 4 -> "%E2%98%83-" + random.nextInt(100);
            case 5 -> "a%2Fb";
            case 6 -> "d".repeat(1 + random.nextInt(3_000));
            default -> "ghost-" + random.nextInt(1_000);
        };
    }

    /** The good twin (with a body that is refused anyway) or an id no twin has, as a Kafka key or MQTT topic level. */
    static String refusable(Random random, String good) {
        return switch (random.nextInt(6)) {
            case 0 -> good;
            case 1 -> "..";
            case 2 -> "\u2603 snow";
            case 3 -> "d".repeat(1 + random.nextInt(2_000));
            case 4 -> "a%00b";
            default -> "ghost-" + random.nextInt(1_000);
        };
    }

    /** The ingress dead letters whose source matches, every page. */
    static List<JsonNode> deadLetters(Predicate<String> source) throws Exception {
        List<JsonNode> found = new ArrayList<>();
        String page = "/ingress/deadletters";
        while (page != null) {
            JsonNode reply = Json.parse(api.send("GET", page, null, Map.of()).body());
            reply.path("value").forEach(l -> {
                if (source.test(l.path("source").asText())) {
                    found.add(l);
                }
            });
            Matcher next = CONTINUATION.matcher(reply.path("nextLink").asText(""));
            page = next.find() ? "/ingress/deadletters?" + next.group(1) : null;
        }
        return found;
    }

    static double temperature(String twin) throws Exception {
        return Json.parse(api.send("GET", "/digitaltwins/" + twin, null, Map.of()).body()).path("Temperature")
                .asDouble();
    }

    static void awaitTemperature(String twin, double expected) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (temperature(twin) != expected) {
            assertThat(System.nanoTime()).as("%s never got Temperature %s", twin, expected).isLessThan(end);
            Thread.sleep(100);
        }
    }

    static String preview(byte[] body) {
        String text = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        return text.length() > 80 ? text.substring(0, 80) + "...(" + body.length + " bytes)" : text;
    }
}
