package io.twingress.event;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The settings of one endpoint type, one record per {@link EndpointType}. Secrets are {@link Secret}s, so the
 * records' {@code toString()} masks them.
 */
public sealed interface EndpointSettings {

    EndpointType type();

    /**
     * @param connectionStringPrimaryKey   null for IdentityBased
     * @param connectionStringSecondaryKey optional
     * @param endpointUri                  {@code sb://<namespace host>/}, from the connection string for KeyBased
     * @param entityPath                   the event hub, from {@code entityPath} or the connection string's EntityPath
     */
    record EventHub(Secret connectionStringPrimaryKey, Secret connectionStringSecondaryKey, URI endpointUri,
            String entityPath) implements EndpointSettings {

        public EventHub {
            Objects.requireNonNull(endpointUri, "endpointUri");
            Objects.requireNonNull(entityPath, "entityPath");
        }

        @Override
        public EndpointType type() {
            return EndpointType.EventHub;
        }
    }

    /**
     * @param primaryConnectionString   null for IdentityBased
     * @param secondaryConnectionString optional
     * @param endpointUri               {@code sb://<namespace host>/}, from the connection string for KeyBased
     * @param entityPath                the topic or queue
     */
    record ServiceBus(Secret primaryConnectionString, Secret secondaryConnectionString, URI endpointUri,
            String entityPath, EntityType entityType) implements EndpointSettings {

        public enum EntityType {
            topic, queue
        }

        public ServiceBus {
            Objects.requireNonNull(endpointUri, "endpointUri");
            Objects.requireNonNull(entityPath, "entityPath");
            Objects.requireNonNull(entityType, "entityType");
        }

        @Override
        public EndpointType type() {
            return EndpointType.ServiceBus;
        }
    }

    /** An Event Grid topic, signed in to with its access key; events go out in the EventGridEvent schema. */
    record EventGrid(URI topicEndpoint, Secret accessKey1, Secret accessKey2) implements EndpointSettings {

        public EventGrid {
            Objects.requireNonNull(topicEndpoint, "topicEndpoint");
            Objects.requireNonNull(accessKey1, "accessKey1");
        }

        @Override
        public EndpointType type() {
            return EndpointType.EventGrid;
        }
    }

    /** @param contentMode BINARY (CloudEvents attributes as Kafka headers) or STRUCTURED */
    record Kafka(KafkaConnection connection, ContentMode contentMode) implements EndpointSettings {

        public Kafka {
            Objects.requireNonNull(connection, "connection");
            Objects.requireNonNull(contentMode, "contentMode");
        }

        /** The producer's settings. */
        public KafkaClient client() {
            return connection.client();
        }

        @Override
        public EndpointType type() {
            return EndpointType.Kafka;
        }
    }

    /**
     * An HTTP endpoint that receives each event in a POST.
     *
     * @param headers extra headers sent with every request, in the order given; not secrets (they are shown by GET):
     *                a credential belongs in {@code authentication}
     * @param timeout how long one request may take before it counts as failed
     */
    record Webhook(URI url, ContentMode contentMode, WebhookAuthentication authentication, Map<String, String> headers,
            Duration timeout) implements EndpointSettings {

        public Webhook {
            Objects.requireNonNull(url, "url");
            Objects.requireNonNull(contentMode, "contentMode");
            Objects.requireNonNull(authentication, "authentication");
            Objects.requireNonNull(timeout, "timeout");
            headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        }

        @Override
        public EndpointType type() {
            return EndpointType.Webhook;
        }
    }

    /**
     * How a webhook request proves it comes from Twingress.
     *
     * @param token      the bearer token, for {@link Type#Bearer}
     * @param headerName the header that carries {@code key}, for {@link Type#Key}
     * @param key        for {@link Type#Key}
     */
    record WebhookAuthentication(Type type, Secret token, String headerName, Secret key) {

        public enum Type {
            None, Bearer, Key
        }

        public static final String DEFAULT_KEY_HEADER = "aeg-sas-key";
        public static final WebhookAuthentication NONE = new WebhookAuthentication(Type.None, null, null, null);

        public WebhookAuthentication {
            Objects.requireNonNull(type, "type");
            if ((type == Type.Bearer) != (token != null) || (type == Type.Key) != (key != null && headerName != null)) {
                throw new IllegalArgumentException(type + " authentication needs exactly its own settings");
            }
        }
    }

    /**
     * An MQTT broker that receives each event as one message.
     *
     * @param brokerUrl       {@code tcp://}, {@code ssl://}, {@code ws://} or {@code wss://} with host and port
     * @param topic           may hold {@code {subject}}, {@code {type}} and {@code {twinId}}, filled per event
     * @param protocolVersion 3 (MQTT 3.1.1) or 5
     * @param username        optional
     * @param password        optional
     * @param clientId        as given, or {@code twingress-<endpoint name>}
     */
    record Mqtt(URI brokerUrl, String topic, int qos, int protocolVersion, String username, Secret password,
            String clientId, boolean retain) implements EndpointSettings {

        public Mqtt {
            Objects.requireNonNull(brokerUrl, "brokerUrl");
            Objects.requireNonNull(topic, "topic");
            Objects.requireNonNull(clientId, "clientId");
        }

        @Override
        public EndpointType type() {
            return EndpointType.Mqtt;
        }
    }

    /** How an event is laid out in a message; the JSON names are {@link #jsonName()}. */
    enum ContentMode {
        /** CloudEvents binary mode: the data is the body, the attributes are headers. */
        BINARY("binary"),
        /** CloudEvents structured mode: the whole event as {@code application/cloudevents+json}. */
        STRUCTURED("structured"),
        /** An array of one event in the EventGridEvent schema; webhooks only. */
        EVENT_GRID("eventGrid"),
        /**
         * CloudEvents batched mode: up to a batch of events in one request as {@code application/cloudevents-batch+json};
         * webhooks only. Beyond ADT, for receivers that take it: one request per batch instead of per event.
         */
        BATCH("batch");

        private final String jsonName;

        ContentMode(String jsonName) {
            this.jsonName = jsonName;
        }

        public String jsonName() {
            return jsonName;
        }
    }
}
