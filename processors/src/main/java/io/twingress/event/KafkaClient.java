package io.twingress.event;

/**
 * The settings a Kafka producer needs, after an Event Hubs connection string has been turned into them.
 *
 * @param bootstrapServers comma-separated host:port list
 * @param saslMechanism    null unless the protocol is SASL_PLAINTEXT or SASL_SSL
 * @param username         null unless SASL
 * @param password         null unless SASL
 */
public record KafkaClient(String bootstrapServers, KafkaConnection.SecurityProtocol securityProtocol,
        KafkaConnection.SaslMechanism saslMechanism, String username, Secret password, String topic) {
}
