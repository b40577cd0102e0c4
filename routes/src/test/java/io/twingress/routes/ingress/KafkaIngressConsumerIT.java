package io.twingress.routes.ingress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.twingress.routes.testing.SharedKafka;

/**
 * {@code twingress-kafka} against the shared real broker: what a poll returns is one batch of camel-kafka's shape;
 * a batch the route fails on is read again from its first record (its consumer's health check DOWN meanwhile), and
 * only applied batches are committed, during the run and when the consumer stops.
 */
class KafkaIngressConsumerIT {

    /** What the route saw: per partition, the offsets it applied, in order. */
    private final Map<Integer, List<Long>> applied = new TreeMap<>();
    private final List<Exchange> firstBatch = new ArrayList<>();

    @Test
    void aBatchTheRouteFailsOnIsReadAgainFromItsFirstRecordAndOnlyAppliedBatchesAreCommitted() throws Exception {
        String topic = SharedKafka.newTopic("twingress-kafka", 2);
        String group = "twingress-kafka-" + UUID.randomUUID();
        AtomicBoolean storeAway = new AtomicBoolean(true);
        AtomicInteger attempts = new AtomicInteger();
        produce(topic, 0, 30);
        try (CamelContext camel = context(topic, group, batch -> {
            attempts.incrementAndGet();
            if (storeAway.get()) {
                throw new IllegalStateException("the store is away");
            }
            record(batch);
        })) {
            camel.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> attempts.get() >= 3);
            HealthCheck.Result down = health(camel).call();
            assertThat(down.getState()).isEqualTo(HealthCheck.State.DOWN);
            // each consumer that got a partition of the batch is failing: one or both of the two
            assertThat(down.getMessage().orElseThrow()).matches("[12] Kafka consumer\\(s\\) failing: .*");
            assertThat(down.getDetails().values()).anySatisfy(reason -> assertThat(reason.toString())
                    .contains("was not applied", "the store is away"));
            assertThat(count()).isZero();

            storeAway.set(false);
            await().atMost(Duration.ofSeconds(60)).until(() -> count() == 30);
            assertEveryOffsetOnceInOrder(30);
            await().atMost(Duration.ofSeconds(10)).until(() -> health(camel).call().getState() == HealthCheck.State.UP);
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, topic) == 30);

            // records that come later are applied and committed as they come
            produce(topic, 30, 10);
            await().atMost(Duration.ofSeconds(60)).until(() -> count() == 40);
            await().atMost(Duration.ofSeconds(30)).until(() -> committed(group, topic) == 40);
            assertEveryOffsetOnceInOrder(40);
        }

        Exchange first = firstBatch.get(0);
        assertThat(first.getMessage().getHeader(KafkaConstants.TOPIC)).isEqualTo(topic);
        String key = first.getMessage().getHeader(KafkaConstants.KEY, String.class);
        assertThat(key).matches("device-[0-3]");
        assertThat(first.getMessage().getHeader(KafkaConstants.TIMESTAMP)).isInstanceOf(Long.class);
        assertThat(new String(first.getMessage().getHeader("deviceId", byte[].class), StandardCharsets.UTF_8))
                .as("the record's own headers, as camel-kafka gives them").isEqualTo(key);
        assertThat(first.getMessage().getBody(String.class)).startsWith("{\"seq\":");
    }

    @Test
    void aConsumerThatStopsHasCommittedWhatItAppliedAndTheNextGoesOnFromThere() throws Exception {
        String topic = SharedKafka.newTopic("twingress-kafka", 1);
        String group = "twingress-kafka-" + UUID.randomUUID();
        produce(topic, 0, 5);
        try (CamelContext camel = context(topic, group, this::record)) {
            camel.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> count() == 5);
        }
        assertThat(committed(group, topic)).as("committed once stopped").isEqualTo(5);

        applied.clear();
        produce(topic, 5, 3);
        try (CamelContext camel = context(topic, group, this::record)) {
            camel.start();
            await().atMost(Duration.ofSeconds(60)).until(() -> count() == 3);
            Thread.sleep(500);
        }
        assertThat(applied.get(0)).as("the second consumer read on after the first one's commit")
                .containsExactly(5L, 6L, 7L);
    }

    @Test
    void aConsumerWithoutAGroupOrThatWouldSeekIsRefused() throws Exception {
        String topic = SharedKafka.newTopic("twingress-kafka", 1);
        String brokers = "?brokers=" + SharedKafka.bootstrapServers();
        assertRefused("twingress-kafka:" + topic + brokers, "needs a groupId");
        assertRefused("twingress-kafka:" + topic + brokers + "&groupId=g&seekTo=BEGINNING",
                "seekTo and offsetRepository are camel-kafka's consumer's");
    }

    private static void assertRefused(String uri, String reason) throws Exception {
        try (CamelContext camel = new DefaultCamelContext()) {
            assertThatThrownBy(() -> {
                camel.addRoutes(new RouteBuilder() {
                    @Override
                    public void configure() {
                        from(uri).log("${body}");
                    }
                });
                camel.start();
            }).hasStackTraceContaining(reason);
        }
    }

    private static HealthCheck health(CamelContext camel) {
        return HealthCheckRegistry.get(camel).getCheck("kafka-consumers:kafka-ingress-it").orElseThrow();
    }

    private interface Step {
        void apply(Exchange batch) throws Exception;
    }

    private CamelContext context(String topic, String group, Step step) throws Exception {
        CamelContext camel = new DefaultCamelContext();
        camel.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("twingress-kafka:" + topic + "?brokers=" + SharedKafka.bootstrapServers() + "&groupId=" + group
                        + "&autoOffsetReset=earliest&pollTimeoutMs=50&maxPollRecords=7&consumersCount=2")
                        .routeId("kafka-ingress-it").process(step::apply);
            }
        });
        return camel;
    }

    private synchronized void record(Exchange batch) {
        List<?> records = batch.getMessage().getBody(List.class);
        for (Object item : records) {
            Exchange record = (Exchange) item;
            if (firstBatch.isEmpty()) {
                firstBatch.add(record);
            }
            applied.computeIfAbsent(record.getMessage().getHeader(KafkaConstants.PARTITION, Integer.class),
                    p -> new ArrayList<>()).add(record.getMessage().getHeader(KafkaConstants.OFFSET, Long.class));
        }
    }

    private synchronized int count() {
        return applied.values().stream().mapToInt(List::size).sum();
    }

    /** Each partition's offsets from 0, each once, in order, {@code total} in all. */
    private synchronized void assertEveryOffsetOnceInOrder(int total) {
        assertThat(count()).isEqualTo(total);
        applied.forEach((partition, offsets) -> {
            for (int i = 0; i < offsets.size(); i++) {
                assertThat(offsets.get(i)).as("partition %d, record %d of %s", partition, i, offsets).isEqualTo(i);
            }
        });
    }

    private static void produce(String topic, int from, int count) throws Exception {
        Properties props = SharedKafka.plaintextClientProperties();
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            for (int i = from; i < from + count; i++) {
                String device = "device-" + i % 4;
                ProducerRecord<String, String> record = new ProducerRecord<>(topic, device, "{\"seq\":" + i + "}");
                record.headers().add("deviceId", device.getBytes(StandardCharsets.UTF_8));
                producer.send(record);
            }
            producer.flush();
        }
    }

    private static long committed(String group, String topic) throws Exception {
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, SharedKafka.bootstrapServers());
        try (Admin admin = Admin.create(props)) {
            Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                    .partitionsToOffsetAndMetadata().get(10, TimeUnit.SECONDS);
            return offsets.entrySet().stream().filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                    .mapToLong(e -> e.getValue().offset()).sum();
        }
    }
}
