package io.twingress.routes.testing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SharedKafkaIT {

    private static final Duration WAIT = Duration.ofSeconds(20);

    @Test
    void recordWithHeadersRoundTripsOverPlaintext() {
        String topic = SharedKafka.newTopic("smoke-plain", 2);

        SharedKafka.produce(topic, "twin-1", "{\"temperature\":21.5}", Map.of("ce_type", "telemetry",
                "ce_source", "sensor-7"));

        ConsumerRecord<String, String> record = SharedKafka.consume(topic, 1, WAIT).get(0);
        assertThat(record.key()).isEqualTo("twin-1");
        assertThat(record.value()).isEqualTo("{\"temperature\":21.5}");
        assertThat(SharedKafka.headers(record)).containsEntry("ce_type", "telemetry")
                .containsEntry("ce_source", "sensor-7");
    }

    @Test
    void eventHubsConnectionStringLogsInOverSasl() {
        assertThat(SharedKafka.eventHubsConnectionString()).startsWith("Endpoint=sb://test.servicebus.windows.net/;")
                .contains(";SharedAccessKeyName=k;SharedAccessKey=").endsWith(";EntityPath=" + SharedKafka.EVENT_HUB);
        String topic = SharedKafka.newTopic("smoke-sasl", 1);
        Properties eventHubs = SharedKafka.eventHubsClientProperties();

        SharedKafka.produce(eventHubs, topic, "twin-2", "over sasl", Map.of("source", "event-hubs"));

        List<ConsumerRecord<String, String>> asEventHubs = SharedKafka.consume(eventHubs, topic, 1, WAIT);
        List<ConsumerRecord<String, String>> asPlainUser = SharedKafka.consume(
                SharedKafka.saslClientProperties(SharedKafka.SASL_USER, SharedKafka.SASL_PASSWORD), topic, 1, WAIT);
        assertThat(asEventHubs).extracting(ConsumerRecord::value).containsExactly("over sasl");
        assertThat(SharedKafka.headers(asEventHubs.get(0))).containsEntry("source", "event-hubs");
        assertThat(asPlainUser).extracting(ConsumerRecord::key).containsExactly("twin-2");
    }

    @Test
    void wrongPasswordIsRefused() {
        Properties wrong = SharedKafka.saslClientProperties(SharedKafka.EVENT_HUBS_USER,
                SharedKafka.eventHubsConnectionString().replace("SharedAccessKey=", "SharedAccessKey=x"));

        try (Admin admin = Admin.create(wrong)) {
            assertThatThrownBy(() -> admin.describeCluster().nodes().get(15, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(SaslAuthenticationException.class);
        }
    }
}
