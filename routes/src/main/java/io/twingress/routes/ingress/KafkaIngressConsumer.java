package io.twingress.routes.ingress;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.HashSet;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.Processor;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.HeaderFilterStrategy;
import org.apache.camel.support.DefaultConsumer;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.routes.health.DownstreamHealth;

/**
 * Reads Kafka topics with {@code consumersCount} consumers of one group, each on its own thread and partitions. What a
 * poll returns goes to the route at once, as one exchange whose body is the records' exchanges (camel-kafka's batch
 * shape: body, {@code kafka.TOPIC}, {@code kafka.PARTITION}, {@code kafka.OFFSET}, {@code kafka.KEY},
 * {@code kafka.TIMESTAMP} and the record's headers); once the route has applied it, each partition's offset after its
 * last record is committed, asynchronously: the records are durable in the store already, and a commit that is lost
 * only means that they come again and are dropped as duplicates.
 *
 * <p>Why not camel-kafka's batching consumer: it hands a poll's records on only when the next poll returns and its
 * batching interval has passed, which held every record 10 ms or more at 5,000 msgs/s and up to a poll timeout on a
 * quiet topic (BENCHMARKS.md, Kafka ingress); and with its auto commit off it commits nothing itself.
 *
 * <p>A batch the route failed on (the store, after the route's own retries) is neither skipped nor committed: its
 * partitions are sought back to its first records, and it is polled and tried again with backoff until it applies or
 * the consumer stops. A partition taken away by a rebalance has its applied offsets committed first. A Kafka consumer
 * that throws (a login refused, a setting it cannot use) is closed, and a new one starts after the same backoff.
 * Auto commit is always off; camel-kafka's options for its own loop ({@code batching}, {@code breakOnFirstError},
 * {@code allowManualCommit}, {@code pollOnError}) do not apply, and {@code seekTo} and {@code offsetRepository} are
 * refused.
 *
 * <p>Health check {@code kafka-consumers:<route>}: DOWN, with each failing consumer's reason, while its Kafka consumer
 * threw, or has not heard from its group's coordinator for a session timeout (the brokers unreachable: a poll does
 * not throw then), or its last batch failed. Neither liveness nor readiness: a source that is down must not stop the
 * API.
 */
public class KafkaIngressConsumer extends DefaultConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaIngressConsumer.class);
    private static final long FIRST_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 30_000;

    private final List<Poller> pollers = new ArrayList<>();
    /** Per consumer (1, 2, ...), why it is failing: its Kafka consumer, or a batch not applied. */
    private final Map<String, Failure> failing = new ConcurrentHashMap<>();
    private ExecutorService executor;
    private DownstreamHealth health;

    private record Failure(boolean batch, String reason) {
    }

    public KafkaIngressConsumer(KafkaEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public KafkaEndpoint getEndpoint() {
        return (KafkaEndpoint) super.getEndpoint();
    }

    private KafkaConfiguration configuration() {
        return getEndpoint().getConfiguration();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        KafkaConfiguration configuration = configuration();
        if (configuration.getGroupId() == null || configuration.getGroupId().isBlank()) {
            throw new IllegalArgumentException("twingress-kafka:" + configuration.getTopic() + " needs a groupId: its"
                    + " offsets are committed as the group's");
        }
        if (configuration.getSeekTo() != null || configuration.getOffsetRepository() != null) {
            throw new IllegalArgumentException("twingress-kafka:" + configuration.getTopic() + " reads on from its"
                    + " group's committed offsets: seekTo and offsetRepository are camel-kafka's consumer's");
        }
        int count = Math.max(1, configuration.getConsumersCount());
        executor = getEndpoint().getCamelContext().getExecutorServiceManager()
                .newFixedThreadPool(this, "KafkaConsumer[" + configuration.getTopic() + "]", count);
        HealthCheckRegistry registry = HealthCheckRegistry.get(getEndpoint().getCamelContext());
        if (registry != null && getRouteId() != null) {
            health = new DownstreamHealth("kafka-consumers:" + getRouteId(), "consumer", "Kafka consumer(s) failing",
                    this::failing);
            registry.register(health);
        }
        for (int i = 0; i < count; i++) {
            Poller poller = new Poller(String.valueOf(i + 1), properties(i, count));
            pollers.add(poller);
            executor.submit(poller);
        }
    }

    @Override
    protected void doStop() throws Exception {
        pollers.forEach(Poller::stop);
        if (executor != null) {
            // each poller finishes the batch it holds, commits it and closes its consumer
            getEndpoint().getCamelContext().getExecutorServiceManager().shutdownGraceful(executor,
                    configuration().getShutdownTimeout());
            executor = null;
        }
        pollers.clear();
        failing.clear();
        if (health != null) {
            HealthCheckRegistry.get(getEndpoint().getCamelContext()).unregister(health);
            health = null;
        }
        super.doStop();
    }

    /**
     * Why each failing consumer fails, by its number: its Kafka consumer threw, or has not heard from the group
     * coordinator for a session timeout (the brokers unreachable), or its last batch was not applied.
     */
    public Map<String, String> failing() {
        Map<String, String> reasons = new HashMap<>();
        failing.forEach((name, failure) -> reasons.put(name, failure.reason()));
        return reasons;
    }

    /** The failure and, when another one caused it, the first cause (what a broker or a login said). */
    private static String describe(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == failure ? failure.toString() : failure + ", caused by " + root;
    }

    /** The Kafka consumer's {@code last-heartbeat-seconds-ago}, or null if it has none (no group coordinator). */
    private static Metric heartbeatMetric(Consumer<?, ?> consumer) {
        for (Map.Entry<MetricName, ? extends Metric> metric : consumer.metrics().entrySet()) {
            if (metric.getKey().name().equals("last-heartbeat-seconds-ago")
                    && metric.getKey().group().equals("consumer-coordinator-metrics")) {
                return metric.getValue();
            }
        }
        return null;
    }

    /** camel-kafka's consumer properties from the endpoint's options, with the group's id and auto commit off. */
    private Properties properties(int index, int count) {
        KafkaConfiguration configuration = configuration();
        Properties props = configuration.createConsumerProperties();
        getEndpoint().updateClassProperties(props);
        String brokers = getEndpoint().getKafkaClientFactory().getBrokers(configuration);
        if (brokers != null) {
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
        }
        props.put(ConsumerConfig.GROUP_ID_CONFIG, configuration.getGroupId());
        if (configuration.getGroupInstanceId() != null) {
            props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                    count == 1 ? configuration.getGroupInstanceId() : configuration.getGroupInstanceId() + "-" + index);
        }
        if (configuration.getClientId() != null && count > 1) {
            props.put(ConsumerConfig.CLIENT_ID_CONFIG, configuration.getClientId() + "-" + index);
        }
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return props;
    }

    /** One Kafka consumer and the thread that polls it. */
    private final class Poller implements Runnable, ConsumerRebalanceListener {

        private final String name;
        private final Properties props;
        private final CountDownLatch stopped = new CountDownLatch(1);
        /** Per partition, the offset after the last record applied: what a commit on revocation or at the end sends. */
        private final Map<TopicPartition, OffsetAndMetadata> applied = new HashMap<>();
        private volatile Consumer<Object, Object> consumer;
        private long backoff = FIRST_BACKOFF_MS;
        /** The partitions of the last batch that failed, while it has not applied and they are this consumer's. */
        private final Set<TopicPartition> failedPartitions = new HashSet<>();
        /** The Kafka consumer's seconds since its last heartbeat to the group coordinator, -1 before the first. */
        private Metric heartbeatAgo;
        private long consumerSince;
        private long nextContactCheck;

        Poller(String name, Properties props) {
            this.name = name;
            this.props = props;
        }

        void stop() {
            stopped.countDown();
            Consumer<Object, Object> c = consumer;
            if (c != null) {
                c.wakeup();
            }
        }

        private boolean running() {
            return stopped.getCount() > 0 && isRunAllowed();
        }

        @Override
        public void run() {
            try {
                poll();
            } catch (Throwable e) {
                failing.put(name, new Failure(false, "its thread ended: " + describe(e)));
                LOG.error("Kafka consumer {} of {} ended", name, configuration().getTopic(), e);
                throw e;
            }
        }

        @SuppressWarnings("unchecked")
        private void poll() {
            Duration pollTimeout = Duration.ofMillis(configuration().getPollTimeoutMs());
            while (running()) {
                Consumer<Object, Object> c = null;
                try {
                    c = getEndpoint().getKafkaClientFactory().getConsumer(props);
                    consumer = c;
                    consumerSince = System.currentTimeMillis();
                    heartbeatAgo = heartbeatMetric(c);
                    if (!running()) {
                        break;
                    }
                    subscribe(c);
                    while (running()) {
                        ConsumerRecords<Object, Object> records = c.poll(pollTimeout);
                        checkContact();
                        if (!records.isEmpty()) {
                            apply(c, records);
                        }
                    }
                } catch (WakeupException e) {
                    // stopping
                } catch (RuntimeException e) {
                    String reason = "its Kafka consumer failed: " + describe(e);
                    Failure before = failing.put(name, new Failure(false, reason));
                    if (before != null && before.reason().equals(reason)) {
                        // the same again (a broker that stays away, a login still refused): one line, no stack
                        LOG.warn("Kafka consumer {} of {} failed again; a new one starts in {} ms: {}", name,
                                configuration().getTopic(), backoff, describe(e));
                    } else {
                        getExceptionHandler().handleException("Kafka consumer " + name + " of "
                                + configuration().getTopic() + " failed; a new one starts in " + backoff + " ms", e);
                    }
                    pause();
                } finally {
                    consumer = null;
                    if (c != null) {
                        close(c);
                    }
                }
            }
        }

        /**
         * Once a second: a consumer that has heard from its group coordinator within a session timeout is no longer
         * failing for its Kafka consumer (a batch that failed still counts); one that has not, for longer than that
         * since it was made, is (a poll does not throw when the brokers are unreachable).
         */
        private void checkContact() {
            long now = System.currentTimeMillis();
            if (heartbeatAgo == null || now < nextContactCheck) {
                return;
            }
            nextContactCheck = now + 1_000;
            long sessionTimeout = configuration().getSessionTimeoutMs();
            double ago = heartbeatAgo.metricValue() instanceof Number n ? n.doubleValue() : Double.NaN;
            Failure failure = failing.get(name);
            if (ago >= 0 && ago * 1_000 <= sessionTimeout) {
                if (failure != null && !failure.batch()) {
                    failing.remove(name);
                    backoff = FIRST_BACKOFF_MS;
                }
            } else if (now - consumerSince > sessionTimeout && (failure == null || !failure.batch())) {
                failing.put(name, new Failure(false, ago >= 0
                        ? "no heartbeat to its group's coordinator for " + (long) ago + " s"
                        : "it has not reached its group's coordinator in " + (now - consumerSince) / 1_000 + " s"));
            }
        }

        private void subscribe(Consumer<Object, Object> c) {
            String topic = configuration().getTopic();
            if (configuration().isTopicIsPattern()) {
                c.subscribe(Pattern.compile(topic), this);
            } else {
                c.subscribe(Arrays.stream(topic.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList(),
                        this);
            }
        }

        private void apply(Consumer<Object, Object> c, ConsumerRecords<Object, Object> records) {
            Exchange batch = createExchange(false);
            Exception failure;
            try {
                List<Exchange> items = new ArrayList<>(records.count());
                for (ConsumerRecord<Object, Object> record : records) {
                    items.add(exchange(record));
                }
                batch.getMessage().setBody(items);
                getProcessor().process(batch);
            } catch (Exception e) {
                batch.setException(e);
            } finally {
                failure = batch.getException();
                releaseExchange(batch, false);
            }
            if (failure == null) {
                failedPartitions.clear();
                failing.remove(name);
                backoff = FIRST_BACKOFF_MS;
                commit(c, records);
                return;
            }
            failedPartitions.clear();
            failedPartitions.addAll(records.partitions());
            failing.put(name, new Failure(true, "a batch of " + records.count() + " records from "
                    + records.partitions() + " was not applied: " + describe(failure)));
            // from the batch's first record on, every partition of it is read again (the assignment changes only
            // in a poll, so they are all still this consumer's)
            for (TopicPartition partition : records.partitions()) {
                c.seek(partition, records.records(partition).get(0).offset());
            }
            getExceptionHandler().handleException("Kafka batch of " + records.count() + " records from "
                    + records.partitions() + " was not applied; it is read again in " + backoff + " ms", failure);
            pause();
        }

        private void commit(Consumer<Object, Object> c, ConsumerRecords<Object, Object> records) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition partition : records.partitions()) {
                List<ConsumerRecord<Object, Object>> in = records.records(partition);
                offsets.put(partition, new OffsetAndMetadata(in.get(in.size() - 1).offset() + 1));
            }
            applied.putAll(offsets);
            c.commitAsync(offsets, (done, e) -> {
                if (e != null) {
                    // the next batch's commit covers these partitions, or their records come again and are dropped
                    LOG.debug("Kafka offset commit {} failed: {}", done, e.toString());
                }
            });
        }

        private Exchange exchange(ConsumerRecord<Object, Object> record) {
            Exchange exchange = getEndpoint().createExchange();
            Message message = exchange.getIn();
            message.setBody(record.value());
            message.setHeader(KafkaConstants.TOPIC, record.topic());
            message.setHeader(KafkaConstants.PARTITION, record.partition());
            message.setHeader(KafkaConstants.OFFSET, record.offset());
            if (record.key() != null) {
                message.setHeader(KafkaConstants.KEY, record.key());
            }
            message.setHeader(KafkaConstants.TIMESTAMP, record.timestamp());
            HeaderFilterStrategy filter = configuration().getHeaderFilterStrategy();
            for (Header header : record.headers()) {
                Object value = configuration().getHeaderDeserializer().deserialize(header.key(), header.value());
                if (filter == null || !filter.applyFilterToExternalHeaders(header.key(), value, exchange)) {
                    message.setHeader(header.key(), value);
                }
            }
            return exchange;
        }

        /** Commits what was applied of the partitions revoked, so that their next owner starts after it. */
        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
            for (TopicPartition partition : partitions) {
                OffsetAndMetadata offset = applied.remove(partition);
                if (offset != null) {
                    offsets.put(partition, offset);
                }
            }
            commitSync(consumer, offsets);
            forgetFailed(partitions);
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            partitions.forEach(applied::remove);
            forgetFailed(partitions);
        }

        /** A batch that failed is its partitions' new owner's to apply: once all are gone, this consumer is not failing. */
        private void forgetFailed(Collection<TopicPartition> partitions) {
            if (!failedPartitions.isEmpty() && failedPartitions.removeAll(partitions) && failedPartitions.isEmpty()) {
                failing.computeIfPresent(name, (n, failure) -> failure.batch() ? null : failure);
            }
        }

        private void close(Consumer<Object, Object> c) {
            commitSync(c, applied);
            applied.clear();
            try {
                c.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debug("Closing the Kafka consumer of {} failed: {}", configuration().getTopic(), e.toString());
            }
        }

        private void commitSync(Consumer<Object, Object> c, Map<TopicPartition, OffsetAndMetadata> offsets) {
            if (c == null || offsets.isEmpty()) {
                return;
            }
            try {
                try {
                    c.commitSync(offsets, Duration.ofSeconds(5));
                } catch (WakeupException e) {
                    // stop() woke the consumer while it applied its last batch: the wake-up is spent now
                    c.commitSync(offsets, Duration.ofSeconds(5));
                }
            } catch (RuntimeException e) {
                // the applied records after the group's last commit come again and are dropped as duplicates
                LOG.debug("Kafka offset commit {} failed: {}", offsets, e.toString());
            }
        }

        private void pause() {
            try {
                stopped.await(backoff, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stopped.countDown();
            }
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        }
    }
}
