package io.twingress.routes.ingress;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits a camel-kafka batch (route {@code ingress-kafka}, {@code allowManualCommit}) once it is applied: for each
 * partition of the batch the offset after its last record, in one asynchronous commit on the consumer's thread.
 *
 * <p>Asynchronous because the batch is durable in the store already: a commit that is lost (a crash, a rebalance, a
 * broker that refuses it) only means that its records come again, and the store drops them as duplicates. A
 * synchronous commit cost each batch a round trip to the group coordinator (about 6 ms at 5,000 msgs/s on two
 * cores, longer than the batch's store write), during which the consumer could not poll the next batch. The client
 * sends its commits in order; the next poll runs the callback.
 *
 * <p>Why not camel-kafka's own commit: with the consumer's auto commit off, its batching consumer commits nothing
 * (every restart or rebalance would read the topic again from the start); with auto commit on, the Kafka client
 * commits what it has polled, and camel-kafka holds polled records back until a batch is full, so a crash would lose
 * them.
 */
public final class KafkaBatchCommit {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBatchCommit.class);

    public void commit(Exchange batch) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        Consumer<?, ?> consumer = null;
        for (Object record : batch.getMessage().getBody(List.class)) {
            DefaultKafkaManualCommit manual = ((Exchange) record).getMessage()
                    .getHeader(KafkaConstants.MANUAL_COMMIT, DefaultKafkaManualCommit.class);
            offsets.merge(manual.getPartition(), new OffsetAndMetadata(manual.getRecordOffset() + 1),
                    (a, b) -> a.offset() >= b.offset() ? a : b);
            consumer = manual.getConsumer();
        }
        if (consumer == null) {
            return;
        }
        // a partition taken away by a rebalance since the batch was polled is its new owner's to commit: its records
        // were applied here, and come again to the new owner, which drops them as duplicates
        offsets.keySet().retainAll(consumer.assignment());
        if (!offsets.isEmpty()) {
            consumer.commitAsync(offsets, KafkaBatchCommit::committed);
        }
    }

    private static void committed(Map<TopicPartition, OffsetAndMetadata> offsets, Exception failure) {
        if (failure != null) {
            // the next batch's commit covers these partitions, or their records come again and are dropped
            LOG.debug("Kafka offset commit {} failed: {}", offsets, failure.toString());
        }
    }
}
