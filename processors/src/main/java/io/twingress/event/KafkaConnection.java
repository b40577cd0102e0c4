package io.twingress.event;

import java.util.Objects;

/**
 * Where a Kafka endpoint or dead-letter topic is and how to sign in, as configured: either the Kafka settings
 * themselves, or an Event Hubs connection string (Event Hubs speaks Kafka on port 9093), in which case only
 * {@code connectionString} and {@code topic} are set and {@link #client()} derives the rest.
 *
 * @param bootstrapServers comma-separated host:port list; null with a connection string
 * @param topic            always set: with a connection string, the {@code topic} given or else its EntityPath
 * @param securityProtocol null with a connection string
 * @param saslMechanism    set only for SASL_PLAINTEXT and SASL_SSL
 * @param saslUsername     set only for SASL_PLAINTEXT and SASL_SSL
 * @param saslPassword     set only for SASL_PLAINTEXT and SASL_SSL
 * @param connectionString an Event Hubs connection string, or null
 */
public record KafkaConnection(String bootstrapServers, String topic, SecurityProtocol securityProtocol,
        SaslMechanism saslMechanism, String saslUsername, Secret saslPassword, Secret connectionString) {

    /** Event Hubs' Kafka endpoint: SASL PLAIN with this user name and the connection string as the password. */
    static final int EVENT_HUBS_KAFKA_PORT = 9093;
    static final String EVENT_HUBS_KAFKA_USERNAME = "$ConnectionString";

    public enum SecurityProtocol {
        PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL;

        public boolean sasl() {
            return this == SASL_PLAINTEXT || this == SASL_SSL;
        }
    }

    public enum SaslMechanism {
        PLAIN("PLAIN"), SCRAM_SHA_256("SCRAM-SHA-256"), SCRAM_SHA_512("SCRAM-SHA-512");

        private final String kafkaName;

        SaslMechanism(String kafkaName) {
            this.kafkaName = kafkaName;
        }

        /** The name in JSON and in Kafka's {@code sasl.mechanism}. */
        public String kafkaName() {
            return kafkaName;
        }
    }

    public KafkaConnection {
        Objects.requireNonNull(topic, "topic");
        if (connectionString == null) {
            Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            Objects.requireNonNull(securityProtocol, "securityProtocol");
        }
    }

    /** The producer's settings, derived from the connection string if there is one. */
    public KafkaClient client() {
        if (connectionString != null) {
            AzureConnectionString parts = AzureConnectionString.parse("connectionString", "an Event Hubs",
                    connectionString);
            return new KafkaClient(parts.host() + ":" + EVENT_HUBS_KAFKA_PORT, SecurityProtocol.SASL_SSL,
                    SaslMechanism.PLAIN, EVENT_HUBS_KAFKA_USERNAME, connectionString, topic);
        }
        return new KafkaClient(bootstrapServers, securityProtocol, saslMechanism, saslUsername, saslPassword, topic);
    }
}
