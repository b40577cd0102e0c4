package io.twingress.routes;

import static io.twingress.routes.ChildTwingress.send;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.routes.testing.SharedKafka;
import io.twingress.store.SharedPostgres;

/**
 * Ingress scaled out: two instances (child JVMs) on one PostgreSQL consume one Kafka topic as one consumer group.
 * Devices send increasing sequence numbers keyed by their id; both instances get partitions, and every twin's history
 * (the raw rows of POST /history/query, in the order they were recorded) holds each value once, in the order sent.
 * One instance is killed with SIGKILL mid-stream: the other takes its partitions over once the session timeout has
 * passed, and what the dead one applied but had not committed to Kafka comes again and is dropped as a duplicate; in
 * the end the group has committed every offset. Last, the group's offsets go back to the beginning and an instance
 * starts again: every message comes a second time and changes no twin (duplicates are remembered in the store).
 */
class IngressPostgresIT {

    static final String V = "api-version=2023-10-31";
    static final String MODEL = "dtmi:ingress:Counter;1";
    static final int TWINS = 20;
    static final int MESSAGES = 200;
    static final int PARTITIONS = 4;
    /** Consumers per instance: two instances of two take a partition each. */
    static final int CONSUMERS = 2;
    static final Pattern APPLIED = Pattern.compile("^twingress_ingress_applied_total\\{[^}]*\\} (\\S+)$",
            Pattern.MULTILINE);

    @Test
    void twoInstancesShareTheTopicInOrderAndTheSurvivorTakesOverTheKilledOnesPartitions() throws Exception {
        Path dir = Files.createTempDirectory("twingress-ingress-pg");
        CompletableFuture<String> database = CompletableFuture.supplyAsync(SharedPostgres::createDatabase);
        String topic = SharedKafka.newTopic("ingress-pg", PARTITIONS);
        String group = "ingress-pg-" + UUID.randomUUID();
        long total = (long) TWINS * MESSAGES;
        Map<String, String> shared = new HashMap<>(Map.of(
                "TWINGRESS_STORE_TYPE", "postgresql",
                "TWINGRESS_STORE_POSTGRESQL_URL", database.join(),
                "TWINGRESS_STORE_POSTGRESQL_USER", SharedPostgres.USER,
                "TWINGRESS_STORE_POSTGRESQL_PASSWORD", SharedPostgres.PASSWORD,
                // the history feed is leased like an endpoint: the survivor takes it over soon
                "TWINGRESS_EGRESS_LEASE", "PT3S",
                "TWINGRESS_EGRESS_SYNCPERIOD", "500"));
        shared.putAll(Map.of(
                "TWINGRESS_INGRESS_KAFKA_ENABLED", "true",
                "TWINGRESS_INGRESS_KAFKA_BROKERS", SharedKafka.bootstrapServers(),
                "TWINGRESS_INGRESS_KAFKA_TOPICS", topic,
                "TWINGRESS_INGRESS_KAFKA_GROUPID", group,
                // small batches, so that a batch often ends inside what one poll returned
                "TWINGRESS_INGRESS_KAFKA_MAXPOLLRECORDS", "50",
                "TWINGRESS_INGRESS_KAFKA_CONSUMERSCOUNT", Integer.toString(CONSUMERS),
                // the broker's least (group.min.session.timeout.ms)
                "TWINGRESS_INGRESS_KAFKA_SESSIONTIMEOUTMS", "6000",
                "TWINGRESS_INGRESS_KAFKA_HEARTBEATINTERVALMS", "1000"));
        Instance a = new Instance("a", dir, shared);
        Instance b = new Instance("b", dir, shared);
        List<String> twins = IntStream.range(0, TWINS).mapToObj(i -> "counter-" + i).toList();
        try (Admin admin = Admin.create(SharedKafka.plaintextClientProperties());
                KafkaProducer<String, String> devices = producer()) {
            CompletableFuture<Void> startingB = CompletableFuture.runAsync(b::start);
            a.start();
            startingB.join();
            assertThat(send(a.base, "POST", "/models?" + V, "[{\"@id\":\"" + MODEL + "\",\"@type\":\"Interface\","
                    + "\"@context\":\"dtmi:dtdl:context;3\",\"contents\":[{\"@type\":\"Property\",\"name\":\"seq\","
                    + "\"schema\":\"integer\"}]}]").statusCode()).isEqualTo(201);
            for (String twin : twins) {
                assertThat(send(a.base, "PUT", "/digitaltwins/" + twin + "?" + V, "{\"$metadata\":{\"$model\":\""
                        + MODEL + "\"}}").statusCode()).isEqualTo(200);
            }
            // every consumer of both instances in the group, each with a partition of its own (while only one
            // instance has joined, its consumers hold all the partitions: counting members would pass too early)
            await(() -> membersWithPartitions(admin, group) == 2 * CONSUMERS, Duration.ofSeconds(30),
                    () -> "both instances joined the group and got partitions");

            // each device sends 1..MESSAGES, about 1,000 messages a second in all; b is killed a third of the way in
            AtomicInteger round = new AtomicInteger();
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                for (int k = 1; k <= MESSAGES; k++) {
                    for (String twin : twins) {
                        devices.send(new ProducerRecord<>(topic, twin, "{\"seq\":" + k + "}"));
                    }
                    round.set(k);
                    sleep(20);
                }
                devices.flush();
            });
            await(() -> round.get() >= MESSAGES / 3 && a.applied() > 0 && b.applied() > 0, Duration.ofSeconds(30),
                    () -> "both instances applied messages (a " + a.applied() + ", b " + b.applied() + ")");
            b.kill();
            assertThat(round.get()).as("b was killed mid-stream").isLessThan(MESSAGES);
            sending.join();

            // every twin ends at its last value, those b had included: a took its partitions over
            Map<String, String> etags = awaitTwinsAt(a.base, twins, MESSAGES, Duration.ofSeconds(45));
            await(() -> committed(admin, group, topic) == total, Duration.ofSeconds(10),
                    () -> "the group committed every offset (" + committed(admin, group, topic) + " of " + total + ")");
            assertThat(Json.parse(send(a.base, "GET", "/ingress/deadletters?" + V, null).body()).get("value"))
                    .as("messages refused").isEmpty();

            // the whole topic again, to a restarted instance: every message is a duplicate, no twin changes
            a.stop();
            admin.alterConsumerGroupOffsets(group, IntStream.range(0, PARTITIONS).boxed().collect(Collectors.toMap(
                    p -> new TopicPartition(topic, p), p -> new OffsetAndMetadata(0)))).all().get(30, TimeUnit.SECONDS);
            a.start();
            await(() -> committed(admin, group, topic) == total, Duration.ofSeconds(30),
                    () -> "the restarted instance read the topic again (" + committed(admin, group, topic) + " of "
                            + total + ")");
            assertThat(etags(a.base, twins)).as("twins after every message came again").isEqualTo(etags);

            // each value was applied once, in the order sent, through the kill and the second reading
            Map<String, List<Integer>> history = awaitHistory(a.base, twins, (int) total, Duration.ofSeconds(30));
            List<Integer> inOrder = IntStream.rangeClosed(1, MESSAGES).boxed().toList();
            for (String twin : twins) {
                assertThat(history.getOrDefault(twin, List.of()))
                        .as("the values of %s historized, in the order recorded", twin).isEqualTo(inOrder);
            }
        } finally {
            a.kill();
            b.kill();
        }
    }

    /** A Twingress child JVM on the shared database and consumer group. */
    private static final class Instance {

        final String name;
        final Path dir;
        final Map<String, String> env = new HashMap<>();
        final String base;
        final String management;
        Process process;
        int starts;

        Instance(String name, Path dir, Map<String, String> shared) {
            int port = TwingressServer.freePort();
            int managementPort = TwingressServer.freePort();
            this.name = name;
            this.dir = dir;
            this.base = "http://127.0.0.1:" + port;
            this.management = "http://127.0.0.1:" + managementPort;
            env.putAll(shared);
            env.putAll(Map.of(
                    "CAMEL_SERVER_PORT", Integer.toString(port),
                    "CAMEL_MANAGEMENT_PORT", Integer.toString(managementPort),
                    "TWINGRESS_DATA_DIR", dir.resolve(name).toString(),
                    "TWINGRESS_ROUTES_DIR", dir.resolve(name + "-routes").toString(),
                    "TWINGRESS_INSTANCE_ID", name));
        }

        void start() {
            try {
                process = ChildTwingress.start(env, dir.resolve(name + "-" + ++starts + ".log"), base);
            } catch (Exception e) {
                throw new IllegalStateException("instance " + name + " did not start", e);
            }
        }

        /** Messages this instance applied since it started, from its Prometheus metrics. */
        double applied() {
            try {
                Matcher m = APPLIED.matcher(send(management, "GET", "/observe/metrics", null).body());
                return m.find() ? Double.parseDouble(m.group(1)) : 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        /** SIGTERM: Camel stops, and the Kafka consumer leaves its group. */
        void stop() throws InterruptedException {
            process.destroy();
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("instance %s stopped", name).isTrue();
        }

        void kill() throws InterruptedException {
            if (process != null && process.isAlive()) {
                process.destroyForcibly();
                assertThat(process.waitFor()).as("instance %s killed with SIGKILL", name).isEqualTo(137);
            }
        }
    }

    private static KafkaProducer<String, String> producer() {
        Map<String, Object> props = new HashMap<>();
        SharedKafka.plaintextClientProperties().forEach((k, v) -> props.put((String) k, v));
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props);
    }

    private static int membersWithPartitions(Admin admin, String group) {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all()
                    .get(10, TimeUnit.SECONDS).get(group);
            return (int) description.members().stream()
                    .filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The sum of the group's committed offsets on the topic. */
    private static long committed(Admin admin, String group, String topic) {
        try {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS)
                    .entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until every twin's seq is {@code last}, and returns their etags. */
    private static Map<String, String> awaitTwinsAt(String base, List<String> twins, int last, Duration timeout)
            throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        Map<String, Integer> behind = new LinkedHashMap<>();
        while (true) {
            behind.clear();
            for (String twin : twins) {
                int seq = Json.parse(send(base, "GET", "/digitaltwins/" + twin + "?" + V, null).body()).path("seq")
                        .asInt(0);
                if (seq != last) {
                    behind.put(twin, seq);
                }
            }
            if (behind.isEmpty()) {
                return etags(base, twins);
            }
            assertThat(Instant.now()).as("twins short of %d: %s", last, behind).isBefore(deadline);
            Thread.sleep(200);
        }
    }

    private static Map<String, String> etags(String base, List<String> twins) throws Exception {
        Map<String, String> etags = new LinkedHashMap<>();
        for (String twin : twins) {
            etags.put(twin, Json.parse(send(base, "GET", "/digitaltwins/" + twin + "?" + V, null).body())
                    .get("$etag").asText());
        }
        return etags;
    }

    /**
     * Each twin's seq values in the history, in the order recorded, once there are {@code rows} of them or
     * {@code timeout} has passed.
     */
    private static Map<String, List<Integer>> awaitHistory(String base, List<String> twins, int rows,
            Duration timeout) throws Exception {
        Instant deadline = Instant.now().plus(timeout);
        String request = "\"twinIds\":" + Json.write(Json.MAPPER.valueToTree(twins)) + ",\"properties\":[\"seq\"],"
                + "\"from\":\"2020-01-01T00:00:00Z\",\"to\":\"2099-01-01T00:00:00Z\"";
        while (true) {
            Map<String, List<Integer>> values = new LinkedHashMap<>();
            int count = 0;
            String token = null;
            do {
                JsonNode page = Json.parse(send(base, "POST", "/history/query?" + V, "{" + request
                        + (token == null ? "" : ",\"continuationToken\":\"" + token + "\"") + "}").body());
                for (JsonNode row : page.get("value")) {
                    values.computeIfAbsent(row.get("Id").asText(), t -> new ArrayList<>()).add(row.get("Value")
                            .asInt());
                    count++;
                }
                token = page.path("continuationToken").isTextual() ? page.get("continuationToken").asText() : null;
            } while (token != null);
            if (count >= rows || Instant.now().isAfter(deadline)) {
                return values;
            }
            Thread.sleep(500);
        }
    }

    private static void await(BooleanSupplier condition, Duration timeout, Supplier<String> what)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("waited " + timeout + " for: " + what.get());
            }
            Thread.sleep(100);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
