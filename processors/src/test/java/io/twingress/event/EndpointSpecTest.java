package io.twingress.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.Json;
import io.twingress.event.EndpointSettings.ContentMode;
import io.twingress.event.EndpointSettings.WebhookAuthentication;
import io.twingress.event.KafkaConnection.SaslMechanism;
import io.twingress.event.KafkaConnection.SecurityProtocol;

class EndpointSpecTest {

    private static final EndpointLimits LIMITS = new EndpointLimits(Duration.ofMinutes(1), Duration.ofHours(24));
    private static final Instant CREATED = Instant.parse("2024-05-01T12:00:00Z");

    private static final String EH_KEY = "c2VjcmV0LWtleS1vbmU9PQ==";
    private static final String EH_CS = "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=send;"
            + "SharedAccessKey=" + EH_KEY + ";EntityPath=hub1";
    private static final String EH_CS_2 = "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=send2;"
            + "SharedAccessKey=c2Vjb25kLWtleQ==";
    private static final String SB_CS = "Endpoint=sb://bus1.servicebus.windows.net/;SharedAccessKeyName=send;"
            + "SharedAccessKey=c2VydmljZS1idXMta2V5";
    private static final String GRID_KEY = "gridKeyNumberOne123";
    private static final String SASL_PASSWORD = "kafka-pa55word!";
    private static final String WEBHOOK_KEY = "hook-key-0123456789";
    private static final String BEARER = "bearer-token-abcdef";
    private static final String MQTT_PASSWORD = "mqtt-pa55";

    // ---- helpers

    private static EndpointSpec parse(String name, String json) {
        return EndpointSpec.parse(name, Json.parse(json), LIMITS, CREATED);
    }

    private static EndpointSpec parse(String json) {
        return parse("ep-1", json);
    }

    /** The properties object around the given members. */
    private static String props(String members) {
        return "{\"properties\": {" + members + "}}";
    }

    private static AdtException refused(String name, String json) {
        Throwable t = catchThrowable(() -> parse(name, json));
        assertThat(t).isInstanceOf(AdtException.class);
        AdtException e = (AdtException) t;
        assertThat(e.error()).isEqualTo(AdtError.INVALID_ARGUMENT);
        return e;
    }

    private static String refusal(String json) {
        return refused("ep-1", json).getMessage();
    }

    private static String eventHub(String extra) {
        return props("\"endpointType\": \"EventHub\", \"connectionStringPrimaryKey\": \"" + EH_CS + "\"" + extra);
    }

    private static String kafka(String extra) {
        return props("\"endpointType\": \"Kafka\", \"bootstrapServers\": \"k1:9092\", \"topic\": \"twins\"" + extra);
    }

    private static String webhook(String extra) {
        return props("\"endpointType\": \"Webhook\", \"url\": \"https://example.com/events\"" + extra);
    }

    private static String mqtt(String extra) {
        return props("\"endpointType\": \"Mqtt\", \"brokerUrl\": \"tcp://broker:1883\", \"topic\": \"twins\""
                + extra);
    }

    private static final String FULL_EVENT_HUB = eventHub(", \"connectionStringSecondaryKey\": \"" + EH_CS_2
            + "\", \"entityPath\": \"hub1\", \"endpointUri\": \"sb://NS1.servicebus.windows.net/\","
            + " \"retryPolicy\": {\"timeToLive\": \"PT2H\", \"initialDelay\": \"PT2S\", \"maxDelay\": \"PT10M\","
            + " \"multiplier\": 3, \"jitter\": 0.5},"
            + " \"deadLetter\": {\"type\": \"Files\", \"directory\": \"/var/dl\"}");
    private static final String FULL_SERVICE_BUS = props("\"endpointType\": \"ServiceBus\","
            + " \"primaryConnectionString\": \"" + SB_CS + "\", \"secondaryConnectionString\": \"" + SB_CS
            + "\", \"entityPath\": \"orders\","
            + " \"entityType\": \"queue\", \"deadLetter\": {\"type\": \"None\"}");
    private static final String FULL_EVENT_GRID = props("\"endpointType\": \"EventGrid\", \"TopicEndpoint\":"
            + " \"https://t1.westeurope-1.eventgrid.azure.net/api/events\", \"accessKey1\": \"" + GRID_KEY
            + "\", \"accessKey2\": \"gridKeyNumberTwo456\"");
    private static final String FULL_KAFKA = kafka(", \"securityProtocol\": \"SASL_SSL\", \"saslMechanism\":"
            + " \"SCRAM-SHA-512\", \"saslUsername\": \"twingress\", \"saslPassword\": \"" + SASL_PASSWORD
            + "\", \"contentMode\": \"structured\", \"deadLetter\": {\"type\": \"Kafka\", \"bootstrapServers\":"
            + " \"k2:9093\", \"topic\": \"dead\", \"securityProtocol\": \"SASL_PLAINTEXT\", \"saslUsername\": \"dl\","
            + " \"saslPassword\": \"" + SASL_PASSWORD + "\"}");
    private static final String KAFKA_FROM_EVENT_HUBS = props("\"endpointType\": \"Kafka\","
            + " \"connectionString\": \"" + EH_CS + "\"");
    private static final String FULL_WEBHOOK = webhook(", \"contentMode\": \"eventGrid\", \"authentication\":"
            + " {\"type\": \"Key\", \"key\": \"" + WEBHOOK_KEY + "\"}, \"headers\": {\"X-Tenant\": \"t1\","
            + " \"X-Env\": \"prod\"}, \"timeout\": \"PT10S\"");
    private static final String BEARER_WEBHOOK = webhook(", \"authentication\": {\"type\": \"Bearer\", \"token\": \""
            + BEARER + "\"}");
    private static final String FULL_MQTT = props("\"endpointType\": \"Mqtt\","
            + " \"brokerUrl\": \"wss://broker:443/mqtt\", \"topic\": \"twins/{twinId}/{type}\", \"qos\": 2,"
            + " \"protocolVersion\": \"3.1.1\", \"username\":"
            + " \"u1\", \"password\": \"" + MQTT_PASSWORD + "\", \"clientId\": \"client-7\", \"retain\": true,"
            + " \"deadLetterUri\": \"file:///var/twingress/dead\"");

    static Stream<Arguments> fullEndpoints() {
        return Stream.of(Arguments.of(FULL_EVENT_HUB, EH_KEY), Arguments.of(FULL_SERVICE_BUS, SB_CS),
                Arguments.of(FULL_EVENT_GRID, GRID_KEY), Arguments.of(FULL_KAFKA, SASL_PASSWORD),
                Arguments.of(KAFKA_FROM_EVENT_HUBS, EH_KEY), Arguments.of(FULL_WEBHOOK, WEBHOOK_KEY),
                Arguments.of(BEARER_WEBHOOK, BEARER), Arguments.of(FULL_MQTT, MQTT_PASSWORD));
    }

    // ---- each type, minimal and full

    @Test
    void aMinimalEventHubTakesItsEntityPathAndNamespaceFromTheConnectionString() {
        EndpointSpec spec = parse(eventHub(""));

        assertThat(spec.type()).isEqualTo(EndpointType.EventHub);
        assertThat(spec.authenticationType()).isEqualTo(AuthenticationType.KeyBased);
        EndpointSettings.EventHub hub = (EndpointSettings.EventHub) spec.settings();
        assertThat(hub.connectionStringPrimaryKey().reveal()).isEqualTo(EH_CS);
        assertThat(hub.connectionStringSecondaryKey()).isNull();
        assertThat(hub.endpointUri()).hasToString("sb://ns1.servicebus.windows.net/");
        assertThat(hub.entityPath()).isEqualTo("hub1");
        assertThat(spec.retryPolicy()).isEqualTo(RetryPolicy.defaults());
        assertThat(spec.deadLetter()).isEqualTo(DeadLetter.STORE);
    }

    @Test
    void theResourceHasArmsShapeWithEverySecretPresentAsNull() {
        ObjectNode resource = parse("hub-a", eventHub("")).toResource();

        assertThat(resource.get("id").asText()).isEqualTo("/endpoints/hub-a");
        assertThat(resource.get("name").asText()).isEqualTo("hub-a");
        assertThat(resource.get("type").asText()).isEqualTo("Microsoft.DigitalTwins/digitalTwinsInstances/endpoints");
        ObjectNode p = (ObjectNode) resource.get("properties");
        assertThat(p.get("endpointType").asText()).isEqualTo("EventHub");
        assertThat(p.get("authenticationType").asText()).isEqualTo("KeyBased");
        assertThat(p.get("provisioningState").asText()).isEqualTo("Succeeded");
        assertThat(p.get("createdTime").asText()).isEqualTo("2024-05-01T12:00:00Z");
        assertThat(p.has("connectionStringPrimaryKey")).isTrue();
        assertThat(p.get("connectionStringPrimaryKey").isNull()).isTrue();
        assertThat(p.get("connectionStringSecondaryKey").isNull()).isTrue();
        assertThat(p.get("entityPath").asText()).isEqualTo("hub1");
        assertThat(p.get("retryPolicy").get("timeToLive").asText()).isEqualTo("PT24H");
        assertThat(p.get("retryPolicy").get("multiplier").asDouble()).isEqualTo(2.0);
        assertThat(p.get("deadLetter").get("type").asText()).isEqualTo("Store");
    }

    @Test
    void aFullEventHubKeepsEverySetting() {
        EndpointSpec spec = parse(FULL_EVENT_HUB);

        EndpointSettings.EventHub hub = (EndpointSettings.EventHub) spec.settings();
        assertThat(hub.connectionStringSecondaryKey().reveal()).isEqualTo(EH_CS_2);
        assertThat(spec.retryPolicy()).isEqualTo(new RetryPolicy(Duration.ofHours(2), Duration.ofSeconds(2),
                Duration.ofMinutes(10), 3.0, 0.5));
        assertThat(spec.deadLetter()).isEqualTo(new DeadLetter(DeadLetter.Type.Files, Path.of("/var/dl"), null));
    }

    @Test
    void anIdentityBasedEventHubNamesNamespaceAndHubInsteadOfAConnectionString() {
        EndpointSpec spec = parse(props("\"endpointType\": \"EventHub\", \"authenticationType\": \"IdentityBased\","
                + " \"endpointUri\": \"sb://ns2.servicebus.windows.net\", \"entityPath\": \"hub2\""));

        EndpointSettings.EventHub hub = (EndpointSettings.EventHub) spec.settings();
        assertThat(spec.authenticationType()).isEqualTo(AuthenticationType.IdentityBased);
        assertThat(hub.connectionStringPrimaryKey()).isNull();
        assertThat(hub.endpointUri()).hasToString("sb://ns2.servicebus.windows.net/");
        assertThat(hub.entityPath()).isEqualTo("hub2");
    }

    @Test
    void identityBasedRefusesConnectionStringsAndNeedsEndpointUriAndEntityPath() {
        assertThat(refusal(props("\"endpointType\": \"EventHub\", \"authenticationType\": \"IdentityBased\","
                + " \"endpointUri\": \"sb://ns2.servicebus.windows.net/\", \"entityPath\": \"h\","
                + " \"connectionStringPrimaryKey\": \"" + EH_CS + "\"")))
                .contains("properties.connectionStringPrimaryKey is for KeyBased authentication")
                .doesNotContain(EH_KEY);
        assertThat(refusal(props("\"endpointType\": \"ServiceBus\", \"authenticationType\": \"IdentityBased\","
                + " \"entityPath\": \"orders\""))).contains("properties.endpointUri is required for IdentityBased");
        assertThat(refusal(props("\"endpointType\": \"EventHub\", \"authenticationType\": \"IdentityBased\","
                + " \"endpointUri\": \"sb://ns2.servicebus.windows.net/\"")))
                .contains("properties.entityPath is required for IdentityBased");
        assertThat(refusal(props("\"endpointType\": \"Kafka\", \"authenticationType\": \"IdentityBased\","
                + " \"bootstrapServers\": \"k:1\", \"topic\": \"t\"")))
                .contains("IdentityBased is for EventHub and ServiceBus endpoints only");
    }

    @Test
    void anEventHubNeedsAnEntityPathThatAgreesWithTheConnectionString() {
        String noEntity = EH_CS.replace(";EntityPath=hub1", "");
        assertThat(refusal(props("\"endpointType\": \"EventHub\", \"connectionStringPrimaryKey\": \"" + noEntity
                + "\""))).contains("an EntityPath is required").contains("properties.entityPath")
                .doesNotContain(EH_KEY);
        assertThat(((EndpointSettings.EventHub) parse(props("\"endpointType\": \"EventHub\","
                + " \"connectionStringPrimaryKey\": \"" + noEntity + "\", \"entityPath\": \"hub9\"")).settings())
                .entityPath()).isEqualTo("hub9");
        assertThat(refusal(eventHub(", \"entityPath\": \"other\""))).contains("properties.entityPath differs from"
                + " the EntityPath in properties.connectionStringPrimaryKey").doesNotContain(EH_KEY);
        assertThat(refusal(eventHub(", \"endpointUri\": \"sb://elsewhere.servicebus.windows.net/\"")))
                .contains("properties.endpointUri names another namespace");
        assertThat(refusal(eventHub(", \"endpointUri\": \"https://ns1.servicebus.windows.net/\"")))
                .contains("properties.endpointUri must be sb://<namespace host>/");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=send;EntityPath=hub1;X=" + EH_KEY,
        "Endpoint=https://ns1.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=" + EH_KEY,
        "SharedAccessKeyName=send;SharedAccessKey=" + EH_KEY,
        "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKey=" + EH_KEY,
        EH_KEY + "garbage-without-equals;SharedAccessKey=x",
        "Endpoint=sb://ns1.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=" + EH_KEY
                + ";sharedaccesskey=" + EH_KEY,
    })
    void aMalformedConnectionStringIsRefusedWithoutEchoingIt(String connectionString) {
        String message = refusal(props("\"endpointType\": \"EventHub\", \"connectionStringPrimaryKey\": \""
                + connectionString + "\""));

        assertThat(message).contains("properties.connectionStringPrimaryKey is not an Event Hubs connection string:"
                + " it needs Endpoint=sb://").contains("SharedAccessKeyName", "SharedAccessKey")
                .doesNotContain(EH_KEY).doesNotContain(connectionString);
    }

    @Test
    void aServiceBusDefaultsToATopicAndTakesAQueue() {
        EndpointSettings.ServiceBus minimal = (EndpointSettings.ServiceBus) parse(props("\"endpointType\":"
                + " \"ServiceBus\", \"primaryConnectionString\": \"" + SB_CS + "\", \"entityPath\": \"t1\""))
                .settings();
        assertThat(minimal.entityType()).isEqualTo(EndpointSettings.ServiceBus.EntityType.topic);
        assertThat(minimal.endpointUri()).hasToString("sb://bus1.servicebus.windows.net/");
        assertThat(minimal.secondaryConnectionString()).isNull();

        EndpointSpec full = parse(FULL_SERVICE_BUS);
        EndpointSettings.ServiceBus bus = (EndpointSettings.ServiceBus) full.settings();
        assertThat(bus.entityType()).isEqualTo(EndpointSettings.ServiceBus.EntityType.queue);
        assertThat(bus.entityPath()).isEqualTo("orders");
        assertThat(bus.secondaryConnectionString().reveal()).isEqualTo(SB_CS);
        assertThat(full.deadLetter().type()).isEqualTo(DeadLetter.Type.None);

        assertThat(refusal(props("\"endpointType\": \"ServiceBus\", \"primaryConnectionString\": \"" + SB_CS
                + "\", \"entityPath\": \"t1\", \"entityType\": \"Queue\"")))
                .contains("properties.entityType must be one of topic, queue");
        assertThat(refusal(props("\"endpointType\": \"ServiceBus\", \"entityPath\": \"t1\"")))
                .contains("properties.primaryConnectionString is required for KeyBased authentication")
                .contains("sends them again");
    }

    @Test
    void anEventGridTopicNeedsAnHttpsUrlAndAKey() {
        EndpointSettings.EventGrid minimal = (EndpointSettings.EventGrid) parse(props("\"endpointType\":"
                + " \"EventGrid\", \"TopicEndpoint\": \"https://t1.eventgrid.azure.net/api/events\", \"accessKey1\":"
                + " \"" + GRID_KEY + "\"")).settings();
        assertThat(minimal.topicEndpoint()).hasToString("https://t1.eventgrid.azure.net/api/events");
        assertThat(minimal.accessKey2()).isNull();
        EndpointSettings.EventGrid full = (EndpointSettings.EventGrid) parse(FULL_EVENT_GRID).settings();
        assertThat(full.accessKey2().reveal()).isEqualTo("gridKeyNumberTwo456");

        assertThat(refusal(props("\"endpointType\": \"EventGrid\", \"TopicEndpoint\": \"http://t1/api\","
                + " \"accessKey1\": \"k\""))).contains("properties.TopicEndpoint must be an absolute https URL");
        assertThat(refusal(props("\"endpointType\": \"EventGrid\", \"TopicEndpoint\": \"https://t1/api\"")))
                .contains("properties.accessKey1 is required");
        assertThat(refusal(props("\"endpointType\": \"EventGrid\", \"accessKey1\": \"k\"")))
                .contains("properties.TopicEndpoint is required");
    }

    @Test
    void aMinimalKafkaEndpointIsPlaintextBinary() {
        EndpointSettings.Kafka k = (EndpointSettings.Kafka) parse(kafka("")).settings();

        assertThat(k.contentMode()).isEqualTo(ContentMode.BINARY);
        assertThat(k.client()).isEqualTo(new KafkaClient("k1:9092", SecurityProtocol.PLAINTEXT, null, null, null,
                "twins"));
    }

    @Test
    void aFullKafkaEndpointSignsInWithSasl() {
        EndpointSpec spec = parse(FULL_KAFKA);
        EndpointSettings.Kafka k = (EndpointSettings.Kafka) spec.settings();

        assertThat(k.contentMode()).isEqualTo(ContentMode.STRUCTURED);
        assertThat(k.client()).isEqualTo(new KafkaClient("k1:9092", SecurityProtocol.SASL_SSL,
                SaslMechanism.SCRAM_SHA_512, "twingress", Secret.of(SASL_PASSWORD), "twins"));
        assertThat(spec.deadLetter().kafka().client()).isEqualTo(new KafkaClient("k2:9093",
                SecurityProtocol.SASL_PLAINTEXT, SaslMechanism.PLAIN, "dl", Secret.of(SASL_PASSWORD), "dead"));
    }

    @Test
    void anEventHubsConnectionStringBecomesKafkaSettings() {
        KafkaClient client = ((EndpointSettings.Kafka) parse(KAFKA_FROM_EVENT_HUBS).settings()).client();

        assertThat(client.bootstrapServers()).isEqualTo("ns1.servicebus.windows.net:9093");
        assertThat(client.securityProtocol()).isEqualTo(SecurityProtocol.SASL_SSL);
        assertThat(client.saslMechanism()).isEqualTo(SaslMechanism.PLAIN);
        assertThat(client.username()).isEqualTo("$ConnectionString");
        assertThat(client.password().reveal()).isEqualTo(EH_CS);
        assertThat(client.topic()).isEqualTo("hub1");

        KafkaClient other = ((EndpointSettings.Kafka) parse(props("\"endpointType\": \"Kafka\", \"connectionString\":"
                + " \"" + EH_CS + "\", \"topic\": \"hub7\"")).settings()).client();
        assertThat(other.topic()).isEqualTo("hub7");
    }

    @Test
    void aConnectionStringExcludesTheSettingsItImpliesAndNeedsATopic() {
        assertThat(refusal(props("\"endpointType\": \"Kafka\", \"connectionString\": \"" + EH_CS + "\","
                + " \"bootstrapServers\": \"k:9092\""))).contains("properties.bootstrapServers cannot be combined"
                        + " with connectionString").doesNotContain(EH_KEY);
        assertThat(refusal(props("\"endpointType\": \"Kafka\", \"connectionString\": \"" + EH_CS_2 + "\"")))
                .contains("properties.topic is required").contains("no EntityPath").doesNotContain("c2Vjb25kLWtleQ==");
    }

    @Test
    void kafkaSaslNeedsItsCredentialsAndOnlySaslTakesThem() {
        assertThat(refusal(kafka(", \"securityProtocol\": \"SASL_SSL\", \"saslUsername\": \"u\"")))
                .contains("properties.saslPassword is required");
        assertThat(refusal(kafka(", \"securityProtocol\": \"SASL_SSL\", \"saslPassword\": \"" + SASL_PASSWORD
                + "\""))).contains("properties.saslUsername is required").doesNotContain(SASL_PASSWORD);
        assertThat(refusal(kafka(", \"saslPassword\": \"" + SASL_PASSWORD + "\"")))
                .contains("properties.saslPassword is only used with securityProtocol SASL_PLAINTEXT or SASL_SSL")
                .doesNotContain(SASL_PASSWORD);
        assertThat(refusal(kafka(", \"securityProtocol\": \"sasl_ssl\"")))
                .contains("properties.securityProtocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL");
        assertThat(refusal(kafka(", \"securityProtocol\": \"SASL_SSL\", \"saslMechanism\": \"GSSAPI\"")))
                .contains("PLAIN, SCRAM-SHA-256, SCRAM-SHA-512");
        assertThat(refusal(kafka(", \"contentMode\": \"eventGrid\""))).contains("must be one of binary, structured");
    }

    @ParameterizedTest
    @ValueSource(strings = {"k1", "k1:0", "k1:65536", "k1:9092,", "http://k1:9092", "k 1:9092", "-k:9092"})
    void badBootstrapServersAreRefused(String servers) {
        assertThat(refusal(props("\"endpointType\": \"Kafka\", \"bootstrapServers\": \"" + servers + "\","
                + " \"topic\": \"t\""))).contains("properties.bootstrapServers must be a comma-separated list of"
                        + " host:port");
    }

    @Test
    void bootstrapServersMayBeNamesAddressesAndSpacedLists() {
        EndpointSettings.Kafka k = (EndpointSettings.Kafka) parse(props("\"endpointType\": \"Kafka\","
                + " \"bootstrapServers\": \"kafka_1:9092, 10.0.0.2:9093,[::1]:9094\", \"topic\": \"t\"")).settings();

        assertThat(k.client().bootstrapServers()).isEqualTo("kafka_1:9092,10.0.0.2:9093,[::1]:9094");
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", ".", "a b", "twins/all", "t\u00e9"})
    void badKafkaTopicsAreRefused(String topic) {
        assertThat(refusal(props("\"endpointType\": \"Kafka\", \"bootstrapServers\": \"k:9092\", \"topic\": \""
                + topic + "\""))).contains("properties.topic is not a Kafka topic name");
    }

    @Test
    void aKafkaTopicIsAtMost249Characters() {
        assertThat(((EndpointSettings.Kafka) parse(props("\"endpointType\": \"Kafka\", \"bootstrapServers\":"
                + " \"k:9092\", \"topic\": \"" + "t".repeat(249) + "\"")).settings()).connection().topic())
                .hasSize(249);
        assertThat(refusal(props("\"endpointType\": \"Kafka\", \"bootstrapServers\": \"k:9092\", \"topic\": \""
                + "t".repeat(250) + "\""))).contains("1 to 249");
    }

    @Test
    void aMinimalWebhookIsUnauthenticatedBinaryWithA30SecondTimeout() {
        EndpointSettings.Webhook w = (EndpointSettings.Webhook) parse(webhook("")).settings();

        assertThat(w.url()).hasToString("https://example.com/events");
        assertThat(w.contentMode()).isEqualTo(ContentMode.BINARY);
        assertThat(w.authentication()).isEqualTo(WebhookAuthentication.NONE);
        assertThat(w.headers()).isEmpty();
        assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void aFullWebhookKeepsItsAuthenticationHeadersInOrderAndTimeout() {
        EndpointSettings.Webhook w = (EndpointSettings.Webhook) parse(FULL_WEBHOOK).settings();

        assertThat(w.contentMode()).isEqualTo(ContentMode.EVENT_GRID);
        assertThat(w.authentication().type()).isEqualTo(WebhookAuthentication.Type.Key);
        assertThat(w.authentication().headerName()).isEqualTo("aeg-sas-key");
        assertThat(w.authentication().key().reveal()).isEqualTo(WEBHOOK_KEY);
        assertThat(w.headers()).containsExactly(Map.entry("X-Tenant", "t1"), Map.entry("X-Env", "prod"));
        assertThat(w.timeout()).isEqualTo(Duration.ofSeconds(10));

        EndpointSettings.Webhook bearer = (EndpointSettings.Webhook) parse(BEARER_WEBHOOK).settings();
        assertThat(bearer.authentication().token().reveal()).isEqualTo(BEARER);
        ObjectNode auth = (ObjectNode) parse(BEARER_WEBHOOK).toResource().get("properties").get("authentication");
        assertThat(auth.get("type").asText()).isEqualTo("Bearer");
        assertThat(auth.get("token").isNull()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "ftp://example.com/x              | must be an absolute http or https URL",
        "/events                          | must be an absolute http or https URL",
        "https://user:pw@example.com/x    | must not hold a user name or password",
        "https://example.com/x#part       | must not have a #fragment",
        "https://exa mple.com/x           | is not a URL",
    })
    void badWebhookUrlsAreRefused(String url, String reason) {
        String message = refusal(webhook("").replace("https://example.com/events", url));

        assertThat(message).startsWith("properties.url ").contains(reason).doesNotContain("pw@");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "Content-Type      | is set by Twingress",
        "authorization     | is set by Twingress",
        "Host              | is set by Twingress",
        "ce-id             | CloudEvents attributes",
        "X Bad             | a header name is",
        "aeg-sas-key       | authentication.headerName",
        "CamelHttpPath     | Camel's own",
        "camelhttpquery    | Camel's own",
    })
    void reservedOrMalformedHeadersAreRefused(String header, String reason) {
        assertThat(refusal(webhook(", \"authentication\": {\"type\": \"Key\", \"key\": \"k\"}, \"headers\": {\""
                + header + "\": \"v\"}"))).contains("properties.headers." + header).contains(reason);
    }

    @Test
    void filesDeadLettersStayInsideTheDeadLetterDirectory() {
        Path root = Path.of("/srv/twingress/deadletters");
        EndpointLimits limits = new EndpointLimits(Duration.ofMinutes(1), Duration.ofHours(24), root);
        String files = ", \"deadLetter\": {\"type\": \"Files\", \"directory\": \"%s\"}";
        assertThat(EndpointSpec.parse("ep-1", Json.parse(webhook(files.formatted("hooks/a"))), limits, CREATED)
                .deadLetter().directory()).isEqualTo(root.resolve("hooks/a"));
        assertThat(EndpointSpec.parse("ep-1", Json.parse(webhook(files.formatted(root + "/b"))), limits, CREATED)
                .deadLetter().directory()).isEqualTo(root.resolve("b"));
        for (String outside : List.of("../x", "/etc", "a/../../x", root + "-other")) {
            Throwable t = catchThrowable(() -> EndpointSpec.parse("ep-1", Json.parse(webhook(files.formatted(outside))),
                    limits, CREATED));
            assertThat(t).as(outside).isInstanceOf(AdtException.class)
                    .hasMessageContaining("twingress.egress.deadLetterDirectory");
        }
        Throwable uri = catchThrowable(() -> EndpointSpec.parse("ep-1", Json.parse(webhook(
                ", \"deadLetterUri\": \"file:///tmp/x\"")), limits, CREATED));
        assertThat(uri).isInstanceOf(AdtException.class).hasMessageContaining("must be inside");
        // without a root, anywhere, as stored endpoints are read back
        assertThat(parse(webhook(files.formatted("/etc"))).deadLetter().directory()).isEqualTo(Path.of("/etc"));
    }

    @Test
    void webhookHeadersAuthenticationAndTimeoutAreChecked() {
        assertThat(refusal(webhook(", \"headers\": {\"X-A\": \"1\", \"x-a\": \"2\"}"))).contains("given twice");
        assertThat(refusal(webhook(", \"headers\": {\"X-A\": 1}"))).contains("properties.headers.X-A must be a"
                + " string but is a number");
        assertThat(refusal(webhook(", \"headers\": {\"X-A\": \"a\\nb\"}"))).contains("no line breaks");
        assertThat(refusal(webhook(", \"headers\": {\"X-A\": \"caf\u00e9 \u2603\"}"))).contains("beyond U+00FF");
        assertThat(((EndpointSettings.Webhook) parse(webhook(", \"headers\": {\"X-A\": \"caf\u00e9\"}")).settings())
                .headers()).containsEntry("X-A", "caf\u00e9");
        assertThat(refusal(webhook(", \"headers\": [\"X-A\"]"))).contains("properties.headers must be a JSON"
                + " object but is an array");
        assertThat(refusal(webhook(", \"authentication\": {\"type\": \"None\", \"token\": \"" + BEARER + "\"}")))
                .contains("properties.authentication.token is not a property of authentication of type None")
                .doesNotContain(BEARER);
        assertThat(refusal(webhook(", \"authentication\": {\"type\": \"Bearer\"}")))
                .contains("properties.authentication.token is required for type Bearer");
        assertThat(refusal(webhook(", \"authentication\": {\"type\": \"Basic\"}")))
                .contains("must be one of None, Bearer, Key");
        assertThat(refusal(webhook(", \"timeout\": \"PT6M\""))).contains("properties.timeout PT6M is outside the"
                + " allowed range PT1S to PT5M");
        assertThat(refusal(webhook(", \"timeout\": \"PT0.5S\""))).contains("outside the allowed range");
        assertThat(refusal(webhook(", \"contentMode\": \"Binary\""))).contains("binary, structured, eventGrid");
        // secrets sent in headers are header text, and no header or URL is larger than servers take
        assertThat(refusal(webhook(", \"authentication\": {\"type\": \"Key\", \"headerName\": \"X-K\","
                + " \"key\": \"k\\r\\nX-Injected: yes\"}"))).contains("properties.authentication.key is sent in a"
                + " header").doesNotContain("X-Injected");
        assertThat(refusal(webhook(", \"authentication\": {\"type\": \"Bearer\", \"token\": \"t\\n\"}")))
                .contains("no line breaks");
        assertThat(refusal(webhook(", \"authentication\": {\"type\": \"Bearer\", \"token\": \""
                + "t".repeat(9000) + "\"}"))).contains("longer than the 8192 characters");
        assertThat(refusal(webhook(", \"authentication\": {\"type\": \"Key\", \"headerName\": \"CamelHttpUri\","
                + " \"key\": \"k\"}"))).contains("not starting with Camel or ce-");
        assertThat(refusal(webhook(", \"headers\": {\"X-A\": \"" + "a".repeat(5000) + "\", \"X-B\": \""
                + "b".repeat(5000) + "\"}"))).contains("properties.headers hold 10006 characters");
        assertThat(refusal(webhook("").replace("https://example.com/events", "https://example.com/"
                + "p".repeat(9000)))).contains("properties.url is longer than 8192 characters");
    }

    @Test
    void aWebhookUrlsSchemeIsTakenInAnyCase() {
        EndpointSettings.Webhook w = (EndpointSettings.Webhook) parse(webhook("")
                .replace("https://example.com/events", "HTTPS://Example.com/Events?A=B")).settings();
        assertThat(w.url()).hasToString("https://Example.com/Events?A=B");
    }

    @Test
    void aMinimalMqttEndpointUsesQos1Mqtt5AndAClientIdFromTheName() {
        EndpointSettings.Mqtt m = (EndpointSettings.Mqtt) parse("floor-events", mqtt("")).settings();

        assertThat(m.brokerUrl()).hasToString("tcp://broker:1883");
        assertThat(m.topic()).isEqualTo("twins");
        assertThat(m.qos()).isEqualTo(1);
        assertThat(m.protocolVersion()).isEqualTo(5);
        assertThat(m.clientId()).isEqualTo("twingress-floor-events");
        assertThat(m.retain()).isFalse();
        assertThat(m.username()).isNull();
        assertThat(m.password()).isNull();
    }

    @Test
    void aFullMqttEndpointKeepsEverySetting() {
        EndpointSpec spec = parse(FULL_MQTT);
        EndpointSettings.Mqtt m = (EndpointSettings.Mqtt) spec.settings();

        assertThat(m).isEqualTo(new EndpointSettings.Mqtt(URI.create("wss://broker:443/mqtt"),
                "twins/{twinId}/{type}", 2, 3, "u1", Secret.of(MQTT_PASSWORD), "client-7", true));
        assertThat(spec.deadLetter()).isEqualTo(new DeadLetter(DeadLetter.Type.Files, Path.of("/var/twingress/dead"),
                null));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "5      | 5",
        "3      | 3",
        "'\"5\"'  | 5",
        "'\"3\"'  | 3",
        "'\"5.0\"'| 5",
    })
    void mqttProtocolVersionIsANumberOrTheVersionText(String json, int version) {
        assertThat(((EndpointSettings.Mqtt) parse(mqtt(", \"protocolVersion\": " + json)).settings())
                .protocolVersion()).isEqualTo(version);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "\"brokerUrl\": \"mqtt://broker:1883\"        | must be tcp://, ssl://, ws:// or wss://",
        "\"brokerUrl\": \"tcp://broker\"              | needs a port",
        "\"brokerUrl\": \"tcp://u:p@broker:1883\"     | must not hold a user name or password",
        "\"brokerUrl\": \"tcp://broker:1883/x\"       | may have a path only for ws:// and wss://",
        "\"topic\": \"twins/+/x\"                     | wildcards",
        "\"topic\": \"twins/#\"                       | wildcards",
        "\"topic\": \"$SYS/x\"                        | must not start with $",
        "\"topic\": \"twins/{model}\"                 | the placeholder {model}",
        "\"topic\": \"twins/{twinId\"                 | outside the placeholders",
        "\"topic\": \"twins/}\"                       | outside the placeholders",
        "\"qos\": 3                                   | must be 0, 1 or 2",
        "\"qos\": \"1\"                               | must be 0, 1 or 2",
        "\"qos\": 1.5                                 | must be 0, 1 or 2",
        "\"protocolVersion\": 4                       | must be 3 (MQTT 3.1.1) or 5",
        "\"protocolVersion\": \"3.1\"                 | must be 3 (MQTT 3.1.1) or 5",
        "\"retain\": \"true\"                         | must be true or false but is a string",
        "\"clientId\": \"has space\"                  | properties.clientId must be 1 to 128",
    })
    void badMqttSettingsAreRefused(String member, String reason) {
        String json;
        if (member.startsWith("\"brokerUrl\"")) {
            json = props("\"endpointType\": \"Mqtt\", \"topic\": \"t\", " + member);
        } else if (member.startsWith("\"topic\"")) {
            json = props("\"endpointType\": \"Mqtt\", \"brokerUrl\": \"tcp://broker:1883\", " + member);
        } else {
            json = mqtt(", " + member);
        }
        assertThat(refusal(json)).contains(reason);
    }

    @Test
    void anMqtt311PasswordNeedsAUsername() {
        assertThat(refusal(mqtt(", \"protocolVersion\": 3, \"password\": \"" + MQTT_PASSWORD + "\"")))
                .contains("properties.password needs a username with MQTT 3.1.1").doesNotContain(MQTT_PASSWORD);
        assertThat(((EndpointSettings.Mqtt) parse(mqtt(", \"password\": \"" + MQTT_PASSWORD + "\"")).settings())
                .password().reveal()).isEqualTo(MQTT_PASSWORD);
    }

    // ---- refusals common to every type

    @Test
    void anUnknownPropertyIsRefusedWithTheNearestNameAndTheAllowedOnes() {
        String message = refusal(props("\"endpointType\": \"EventHub\", \"connectionStringPrimayKey\": \"" + EH_CS
                + "\""));

        assertThat(message).contains("properties.connectionStringPrimayKey is not a property of an EventHub"
                + " endpoint (did you mean connectionStringPrimaryKey?)").contains("the allowed properties are"
                        + " endpointType, authenticationType").contains("entityPath").doesNotContain(EH_KEY);
        assertThat(refusal(kafka(", \"url\": \"https://x\""))).contains("properties.url is not a property of a"
                + " Kafka endpoint;").contains("bootstrapServers", "saslPassword", "contentMode");
        assertThat(refusal(kafka(", \"retryPolicy\": {\"ttl\": \"PT1H\"}")))
                .contains("properties.retryPolicy.ttl is not a property of retryPolicy")
                .contains("timeToLive, initialDelay, maxDelay, multiplier, jitter");
        assertThat(refusal("{\"properties\": {\"endpointType\": \"Kafka\"}, \"tags\": {}}"))
                .contains("tags is not a property of an endpoint resource");
    }

    @Test
    void theEndpointTypeIsRequiredAndCaseSensitive() {
        assertThat(refusal(props("\"topic\": \"t\""))).contains("properties.endpointType is required: one of"
                + " EventHub, ServiceBus, EventGrid, Kafka, Webhook, Mqtt");
        assertThat(refusal(props("\"endpointType\": \"eventhub\""))).contains("properties.endpointType must be one"
                + " of EventHub, ServiceBus, EventGrid, Kafka, Webhook, Mqtt (case-sensitive) but is 'eventhub'");
        assertThat(refusal(props("\"endpointType\": 1"))).contains("properties.endpointType must be a string but"
                + " is a number");
        assertThat(refusal(props("\"endpointType\": \"Kafka\", \"authenticationType\": \"Key\"")))
                .contains("properties.authenticationType must be one of KeyBased, IdentityBased");
    }

    @Test
    void theBodyMustBeAnObjectWithPropertiesObject() {
        assertThat(refusal("[]")).isEqualTo("the body must be a JSON object but is an array");
        assertThat(refusal("{}")).contains("properties is required");
        assertThat(refusal("{\"properties\": \"x\"}")).isEqualTo("properties must be a JSON object but is a string");
        assertThat(refusal("{\"name\": \"other\", \"properties\": {}}")).contains("differs from the endpoint name");
    }

    @Test
    void wrongJsonTypesAreRefused() {
        assertThat(refusal(kafka(", \"retryPolicy\": {\"multiplier\": \"2\"}")))
                .contains("properties.retryPolicy.multiplier must be a number but is a string");
        assertThat(refusal(kafka(", \"retryPolicy\": \"PT1H\""))).contains("properties.retryPolicy must be a JSON"
                + " object but is a string");
        assertThat(refusal(props("\"endpointType\": \"EventGrid\", \"TopicEndpoint\": \"https://t/a\","
                + " \"accessKey1\": 12345"))).contains("properties.accessKey1 must be a string but is a number")
                .doesNotContain("12345");
        assertThat(refusal(kafka(", \"topic\": \"\"").replace("\"topic\": \"twins\", ", "")))
                .contains("properties.topic must not be empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ab", "a-1", "Floor3-events", "0a", "1-2"})
    void validEndpointNames(String name) {
        assertThat(parse(name, kafka("")).name()).isEqualTo(name);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "-ab", "ab-", "123", "a_b", "a.b", "", "a b"})
    void invalidEndpointNamesAreRefusedWithTheRule(String name) {
        assertThat(refused(name, kafka("")).getMessage()).contains("use 2 to 50 letters, digits and '-', not"
                + " starting or ending with '-' and not only digits");
    }

    @Test
    void anEndpointNameIsAtMost50Characters() {
        assertThat(parse("a".repeat(50), kafka("")).name()).hasSize(50);
        assertThat(refused("a".repeat(51), kafka("")).getMessage()).contains("2 to 50");
    }

    // ---- retry policy

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "1 day     | is not an ISO 8601 duration",
        "p1d       | upper-case",
        "P1M       | cannot use years, months or weeks",
        "P1W       | cannot use years, months or weeks",
        "-PT1H     | must be positive",
        "PT0S      | must be positive",
    })
    void badDurationsAreRefusedWithTheForm(String duration, String reason) {
        assertThat(refusal(kafka(", \"retryPolicy\": {\"timeToLive\": \"" + duration + "\"}")))
                .contains("properties.retryPolicy.timeToLive").contains(reason);
    }

    @Test
    void theTimeToLiveMustBeWithinTheLimits() {
        assertThat(refusal(kafka(", \"retryPolicy\": {\"timeToLive\": \"PT30S\"}")))
                .contains("properties.retryPolicy.timeToLive PT30S is outside the allowed range PT1M to PT24H");
        assertThat(refusal(kafka(", \"retryPolicy\": {\"timeToLive\": \"P2D\"}")))
                .contains("PT48H is outside the allowed range PT1M to PT24H");
        assertThat(parse(kafka(", \"retryPolicy\": {\"timeToLive\": \"P1D\"}")).retryPolicy().timeToLive())
                .isEqualTo(Duration.ofHours(24));
        assertThatThrownBy(() -> EndpointSpec.parse("ep-1", Json.parse(kafka(", \"retryPolicy\": {\"timeToLive\":"
                + " \"PT10M\"}")), EndpointLimits.PRODUCTION, CREATED)).isInstanceOf(AdtException.class)
                .hasMessageContaining("outside the allowed range PT20M to PT24H");
    }

    @Test
    void defaultsFitAShortTimeToLive() {
        RetryPolicy shortLived = parse(kafka(", \"retryPolicy\": {\"timeToLive\": \"PT2M\"}")).retryPolicy();
        assertThat(shortLived.maxDelay()).isEqualTo(Duration.ofMinutes(2));
        assertThat(shortLived.initialDelay()).isEqualTo(Duration.ofSeconds(1));

        EndpointLimits narrow = new EndpointLimits(Duration.ofMinutes(1), Duration.ofHours(1));
        RetryPolicy clamped = EndpointSpec.parse("ep-1", Json.parse(kafka("")), narrow, CREATED).retryPolicy();
        assertThat(clamped.timeToLive()).isEqualTo(Duration.ofHours(1));
    }

    @Test
    void delaysMustFitTogether() {
        assertThat(refusal(kafka(", \"retryPolicy\": {\"timeToLive\": \"PT1H\", \"maxDelay\": \"PT2H\"}")))
                .contains("properties.retryPolicy.maxDelay PT2H is longer than timeToLive PT1H");
        assertThat(refusal(kafka(", \"retryPolicy\": {\"initialDelay\": \"PT10M\"}")))
                .contains("properties.retryPolicy.initialDelay PT10M is longer than maxDelay PT5M (the default");
        assertThat(refusal(kafka(", \"retryPolicy\": {\"multiplier\": 0.5}")))
                .contains("properties.retryPolicy.multiplier 0.5 is outside the allowed range 1.0 to 10.0");
        assertThat(refusal(kafka(", \"retryPolicy\": {\"multiplier\": 11}"))).contains("1.0 to 10.0");
        assertThat(refusal(kafka(", \"retryPolicy\": {\"jitter\": 1.5}")))
                .contains("properties.retryPolicy.jitter 1.5 is outside the allowed range 0.0 to 1.0");
    }

    @Test
    void backoffDoublesFromTheInitialDelayUpToTheCap() {
        RetryPolicy policy = RetryPolicy.defaults();

        assertThat(policy.delayBeforeAttempt(1, 0.5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(policy.delayBeforeAttempt(2, 0.5)).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.delayBeforeAttempt(3, 0.5)).isEqualTo(Duration.ofSeconds(4));
        assertThat(policy.delayBeforeAttempt(9, 0.5)).isEqualTo(Duration.ofSeconds(256));
        assertThat(policy.delayBeforeAttempt(10, 0.5)).isEqualTo(Duration.ofMinutes(5));
        assertThat(policy.delayBeforeAttempt(100_000, 1.0)).isEqualTo(Duration.ofMinutes(5));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0.0, 0.3, 0.5, 0.99, 1.0})
    void forOneRandomNumberDelaysNeverShrinkAndNeverPassTheCap(double random01) {
        RetryPolicy policy = new RetryPolicy(Duration.ofHours(1), Duration.ofMillis(500), Duration.ofMinutes(2), 1.7,
                0.4);
        Duration previous = Duration.ZERO;
        for (int attempt = 1; attempt <= 40; attempt++) {
            Duration delay = policy.delayBeforeAttempt(attempt, random01);
            assertThat(delay).isGreaterThanOrEqualTo(previous).isLessThanOrEqualTo(Duration.ofMinutes(2));
            previous = delay;
        }
        assertThat(previous).isEqualTo(Duration.ofMinutes(2));
    }

    @Test
    void jitterMovesADelayByAtMostItsFraction() {
        RetryPolicy policy = RetryPolicy.defaults();

        assertThat(policy.delayBeforeAttempt(3, 0.0)).isEqualTo(Duration.ofMillis(3200));
        assertThat(policy.delayBeforeAttempt(3, 1.0)).isEqualTo(Duration.ofMillis(4800));
        for (double r = 0.0; r <= 1.0; r += 0.05) {
            assertThat(policy.delayBeforeAttempt(3, r)).isBetween(Duration.ofMillis(3200), Duration.ofMillis(4800));
        }
        RetryPolicy none = new RetryPolicy(Duration.ofHours(1), Duration.ofSeconds(1), Duration.ofMinutes(5), 2.0,
                0.0);
        assertThat(none.delayBeforeAttempt(3, 0.0)).isEqualTo(none.delayBeforeAttempt(3, 1.0));
        assertThatThrownBy(() -> policy.delayBeforeAttempt(0, 0.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> policy.delayBeforeAttempt(1, 1.5)).isInstanceOf(IllegalArgumentException.class);
    }

    // ---- dead letters

    @Test
    void deadLetterUriIsOnlyAFileDirectory() {
        assertThat(parse(kafka(", \"deadLetterUri\": \"file:///var/dl\"")).deadLetter())
                .isEqualTo(new DeadLetter(DeadLetter.Type.Files, Path.of("/var/dl"), null));
        String blob = "https://acct.blob.core.windows.net/dead";
        assertThat(refusal(kafka(", \"deadLetterUri\": \"" + blob + "\""))).contains("properties.deadLetterUri must"
                + " be a file: URI").contains("does not dead-letter to blob storage")
                .contains("deadLetter with type Store").doesNotContain(blob);
        assertThat(refusal(kafka(", \"deadLetterUri\": \"file://host/share\""))).contains("without a host");
        assertThat(refusal(kafka(", \"deadLetterUri\": \"file:///a\", \"deadLetter\": {\"type\": \"Store\"}")))
                .contains("not both");
    }

    @Test
    void deadLetterSecretIsRefusedWithoutEchoingIt() {
        String sas = "https://acct.blob.core.windows.net/dead?sv=2020&sig=SIGNATURE123";

        assertThat(refusal(kafka(", \"deadLetterSecret\": \"" + sas + "\""))).contains("properties.deadLetterSecret"
                + " (a blob storage SAS URL) is not supported").doesNotContain("SIGNATURE123");
    }

    @Test
    void deadLetterTypesTakeOnlyTheirOwnSettings() {
        assertThat(refusal(kafka(", \"deadLetter\": {\"type\": \"Files\"}")))
                .contains("properties.deadLetter.directory is required");
        assertThat(refusal(kafka(", \"deadLetter\": {\"type\": \"Store\", \"directory\": \"/x\"}")))
                .contains("properties.deadLetter.directory is not a property of a dead letter of type Store");
        assertThat(refusal(kafka(", \"deadLetter\": {\"type\": \"Kafka\", \"topic\": \"dead\"}")))
                .contains("properties.deadLetter.bootstrapServers is required");
        assertThat(refusal(kafka(", \"deadLetter\": {\"type\": \"Blob\"}")))
                .contains("must be one of Store, Files, Kafka, None");
        assertThat(parse(kafka(", \"deadLetter\": {}")).deadLetter()).isEqualTo(DeadLetter.STORE);
    }

    // ---- secrets and round trips

    /** Checks added later refuse new endpoints only: one stored before them keeps being read (and delivering). */
    @Test
    void aStoredEndpointThatNewerChecksWouldRefuseIsStillRead() {
        String stored = parse(webhook(", \"headers\": {\"X-Steer\": \"v\"}")).toStored()
                .replace("X-Steer", "CamelHttpPath");
        assertThat(((EndpointSettings.Webhook) EndpointSpec.fromStored("ep-1", stored).settings()).headers())
                .containsKey("CamelHttpPath");
        assertThat(refusal(webhook(", \"headers\": {\"CamelHttpPath\": \"v\"}"))).contains("Camel's own");
    }

    @ParameterizedTest
    @MethodSource("fullEndpoints")
    void theStoredFormReadsBackAsTheSameEndpoint(String json, String secret) {
        EndpointSpec spec = parse(json);

        String stored = spec.toStored();

        assertThat(stored).contains(secret);
        assertThat(EndpointSpec.fromStored("ep-1", stored)).isEqualTo(spec);
        assertThat(EndpointSpec.fromStored("ep-1", stored).toStored()).isEqualTo(stored);
    }

    @ParameterizedTest
    @MethodSource("fullEndpoints")
    void secretsAreNeverInTheResourceOrToString(String json, String secret) {
        EndpointSpec spec = parse(json);

        assertThat(Json.write(spec.toResource())).doesNotContain(secret);
        assertThat(spec.toString()).doesNotContain(secret).contains("***");
    }

    /** The full endpoints whose secret is required (an MQTT password is optional). */
    static Stream<Arguments> endpointsWithRequiredSecrets() {
        return fullEndpoints().filter(a -> a.get()[0] != FULL_MQTT);
    }

    @ParameterizedTest
    @MethodSource("endpointsWithRequiredSecrets")
    void theResourceSentBackWithoutSecretsIsRefusedAsMissingThem(String json, String secret) {
        EndpointSpec spec = parse(json);

        assertThat(refusal(Json.write(spec.toResource()))).contains("is required").doesNotContain(secret);
    }

    @Test
    void aReplacementWithoutAnOptionalSecretHasNone() {
        EndpointSpec replaced = parse(Json.write(parse(FULL_MQTT).toResource()));

        assertThat(((EndpointSettings.Mqtt) replaced.settings()).password()).isNull();
        assertThat(((EndpointSettings.Mqtt) replaced.settings()).username()).isEqualTo("u1");
    }

    @Test
    void theResourceSentBackWithItsSecretsIsTheSameEndpoint() {
        EndpointSpec spec = parse(FULL_EVENT_HUB);
        ObjectNode resource = spec.toResource();
        ObjectNode p = (ObjectNode) resource.get("properties");
        p.put("connectionStringPrimaryKey", EH_CS);
        p.put("connectionStringSecondaryKey", EH_CS_2);

        assertThat(parse(Json.write(resource))).isEqualTo(spec);
    }

    @Test
    void aCorruptStoredFormIsAnInternalErrorThatQuotesNothing() {
        assertThatThrownBy(() -> EndpointSpec.fromStored("ep-1", "{\"createdTime\": \"x\", " + EH_KEY))
                .isInstanceOf(IllegalStateException.class).hasMessage("stored endpoint ep-1 is not JSON");
        assertThatThrownBy(() -> EndpointSpec.fromStored("ep-1", "{\"createdTime\": \"2024-05-01T12:00:00Z\","
                + " \"properties\": {\"endpointType\": \"Nope\"}}")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("properties.endpointType must be one of");
    }

    @Test
    void aSecretPrintsMasked() {
        assertThat(Secret.of(SASL_PASSWORD)).hasToString("***").isEqualTo(Secret.of(SASL_PASSWORD));
        assertThat(new KafkaClient("k:1", SecurityProtocol.SASL_SSL, SaslMechanism.PLAIN, "u",
                Secret.of(SASL_PASSWORD), "t").toString()).doesNotContain(SASL_PASSWORD);
    }
}
