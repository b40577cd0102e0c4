package io.twingress.routes.ingress;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualSyncCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class KafkaBatchCommitTest {

    final CamelContext context = new DefaultCamelContext();
    final MockConsumer<Object, Object> consumer = new MockConsumer<>(OffsetResetStrategy.EARLIEST);
    final TopicPartition p0 = new TopicPartition("telemetry", 0);
    final TopicPartition p1 = new TopicPartition("telemetry", 1);
    final TopicPartition revoked = new TopicPartition("telemetry", 2);

    @Test
    void eachAssignedPartitionIsCommittedPastItsLastRecord() {
        consumer.assign(List.of(p0, p1));
        Exchange batch = batch(record(p0, 5), record(p1, 7), record(revoked, 3), record(p0, 6), record(p1, 8));

        new KafkaBatchCommit().commit(batch);

        Map<TopicPartition, OffsetAndMetadata> committed = consumer.committed(Set.of(p0, p1, revoked));
        assertThat(committed).as("a partition no longer this consumer's is left alone").containsOnlyKeys(p0, p1);
        assertThat(committed.get(p0).offset()).isEqualTo(7);
        assertThat(committed.get(p1).offset()).isEqualTo(9);
    }

    private Exchange batch(Exchange... records) {
        Exchange batch = new DefaultExchange(context);
        batch.getMessage().setBody(new ArrayList<>(List.of(records)));
        return batch;
    }

    private Exchange record(TopicPartition partition, long offset) {
        Exchange record = new DefaultExchange(context);
        record.getMessage().setHeader(KafkaConstants.MANUAL_COMMIT, new DefaultKafkaManualSyncCommit(
                new KafkaManualCommitFactory.CamelExchangePayload(record, consumer, "thread", null),
                new KafkaManualCommitFactory.KafkaRecordPayload(partition, offset, 5000), null));
        return record;
    }
}
