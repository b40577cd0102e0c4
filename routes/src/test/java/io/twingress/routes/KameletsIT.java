package io.twingress.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.CamelExecutionException;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.http.base.HttpOperationFailedException;
import org.apache.camel.main.Main;
import org.apache.camel.model.Model;
import org.apache.camel.support.processor.PredicateValidationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.auth.ApiKeyAuthenticator;
import io.twingress.routes.testing.SharedKafka;
import io.twingress.routes.testing.TwingressApi;

/**
 * deploy/camel-k's Kamelets run for real, outside Camel K: a Camel Main of the test's own (camel-kamelet and the YAML
 * DSL, no Twingress routes) whose kamelet component loads {@code twingress-sink} and {@code twingress-events-source}
 * from the classpath, as shipped (the pom puts deploy/camel-k on the test classpath under {@code kamelets/}), against a
 * running Twingress with API keys and a Kafka endpoint on the shared broker. Device messages sent through the sink
 * change the twin as the REST API shows it; the change comes back through the source, over PLAINTEXT and over SASL.
 */
class KameletsIT {

    static final String ROOM = "dtmi:kamelets:Room;1";
    static final String OWNER_KEY = "kamelets-owner-key-3f9a1c7e5b";
    static final String DEVICE_KEY = "kamelets-device-key-8d2b6e0a4c";

    /** What a user of the Kamelets writes: a source into twingress-sink, twingress-events-source into a sink. */
    static final String PIPES = """
            - route:
                id: devices-to-twingress
                from:
                  uri: direct:devices
                  steps:
                    - to:
                        uri: kamelet:twingress-sink
                        parameters:
                          url: "{{twingress.url}}"
                          apiKey: "{{twingress.ingestKey}}"
                          deviceIdHeader: sensor
                          messageIdHeader: reading
            - route:
                id: twingress-events
                from:
                  uri: kamelet:twingress-events-source
                  parameters:
                    bootstrapServers: "{{kafka.plaintext}}"
                    topic: "{{kafka.topic}}"
                    consumerGroup: kamelets-it
                    autoOffsetReset: earliest
                  steps:
                    - to: mock:events
            - route:
                id: twingress-events-sasl
                from:
                  uri: kamelet:twingress-events-source
                  parameters:
                    bootstrapServers: "{{kafka.sasl}}"
                    topic: "{{kafka.topic}}"
                    consumerGroup: kamelets-it-sasl
                    autoOffsetReset: earliest
                    securityProtocol: SASL_PLAINTEXT
                    saslMechanism: PLAIN
                    saslJaasConfig: "{{kafka.jaas}}"
                  steps:
                    - to: mock:events-sasl
            """;

    static TwingressServer twingress;
    static TwingressApi api;
    static Main pipes;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("twingress-kamelets-it");
        twingress = TwingressServer.start(dir, Map.of("twingress.auth.mode", "apikey", "twingress.auth.apikeys",
                "owner:" + ApiKeyAuthenticator.hash(OWNER_KEY) + ":DataOwner; device:"
                        + ApiKeyAuthenticator.hash(DEVICE_KEY) + ":Ingest",
                "twingress.egress.pollPeriod", "20"));
        api = new TwingressApi(twingress.baseUrl(), Map.of("Authorization", "Bearer " + OWNER_KEY));
        api.putModel(ROOM, "Temperature");
        api.putTwin("room-7", "{\"$metadata\":{\"$model\":\"" + ROOM + "\"},\"Temperature\":20}", Map.of());
        String topic = SharedKafka.newTopic("kamelet-events", 1);
        api.putEndpoint("kamelet-events", "{\"endpointType\":\"Kafka\",\"bootstrapServers\":\""
                + SharedKafka.bootstrapServers() + "\",\"topic\":\"" + topic + "\"}");
        api.putRoute("kamelet-updates", "kamelet-events", "type = 'Microsoft.DigitalTwins.Twin.Update'");

        Path routes = dir.resolve("pipes.camel.yaml");
        Files.writeString(routes, PIPES);
        pipes = new Main();
        // nothing of Twingress's: not its application.properties, not its classpath:camel/* routes
        pipes.setDefaultPropertyPlaceholderLocation("false");
        pipes.configure().withRoutesIncludePattern("file:" + routes.toAbsolutePath());
        pipes.addOverrideProperty("twingress.url", twingress.baseUrl());
        pipes.addOverrideProperty("twingress.ingestKey", DEVICE_KEY);
        pipes.addOverrideProperty("kafka.plaintext", SharedKafka.bootstrapServers());
        pipes.addOverrideProperty("kafka.sasl", SharedKafka.saslBootstrapServers());
        pipes.addOverrideProperty("kafka.topic", topic);
        pipes.addOverrideProperty("kafka.jaas", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"" + SharedKafka.SASL_USER + "\" password=\"" + SharedKafka.SASL_PASSWORD + "\";");
        pipes.start();
    }

    @AfterAll
    static void stop() {
        if (pipes != null) {
            pipes.stop();
        }
        if (twingress != null) {
            twingress.close();
        }
    }

    @Test
    void theKameletsAreLoadedFromTheClasspathAsShipped() {
        assertThat(pipes.getCamelContext().getRoutes()).extracting(r -> r.getEndpoint().getEndpointUri())
                .anyMatch(uri -> uri.startsWith("kafka:"));
        assertThat(pipes.getCamelContext().getCamelContextExtension().getContextPlugin(Model.class)
                .getRouteTemplateDefinitions()).extracting(t -> t.getId()).contains("twingress-sink", "twingress-events-source");
    }

    @Test
    void deviceMessagesThroughTheSinkChangeTheTwinAndTheChangeComesBackThroughTheSource() throws Exception {
        MockEndpoint events = pipes.getCamelContext().getEndpoint("mock:events", MockEndpoint.class);
        MockEndpoint saslEvents = pipes.getCamelContext().getEndpoint("mock:events-sasl", MockEndpoint.class);
        events.expectedMinimumMessageCount(1);
        saslEvents.expectedMinimumMessageCount(1);

        ProducerTemplate devices = pipes.getCamelTemplate();
        devices.sendBodyAndHeaders("direct:devices", "{\"Temperature\":23.5}", Map.of("sensor", "room-7",
                "reading", "r-1"));
        assertThat(twin("room-7").get("Temperature").asDouble()).isEqualTo(23.5);
        String etag = twin("room-7").get("$etag").asText();
        // the message id header is sent as iothub-messageid: the same reading again is dropped
        devices.sendBodyAndHeaders("direct:devices", "{\"Temperature\":99}", Map.of("sensor", "room-7",
                "reading", "r-1"));
        assertThat(twin("room-7").get("$etag").asText()).isEqualTo(etag);

        MockEndpoint.assertIsSatisfied(30, TimeUnit.SECONDS, events, saslEvents);
        for (MockEndpoint mock : List.of(events, saslEvents)) {
            Exchange event = mock.getReceivedExchanges().get(0);
            assertThat(event.getMessage().getHeader("ce_type")).isEqualTo("Microsoft.DigitalTwins.Twin.Update");
            assertThat(event.getMessage().getHeader("ce_subject")).isEqualTo("room-7");
            assertThat(event.getMessage().getHeader("ce_id")).isInstanceOf(String.class);
            assertThat(event.getMessage().getHeader("ce_time")).isInstanceOf(String.class);
            JsonNode data = Json.parse(event.getMessage().getBody(String.class));
            assertThat(data.get("modelId").asText()).isEqualTo(ROOM);
            assertThat(data.at("/patch/0/path").asText()).isEqualTo("/Temperature");
            assertThat(data.at("/patch/0/value").asDouble()).isEqualTo(23.5);
        }
        Thread.sleep(500);
        assertThat(events.getReceivedExchanges()).as("one update: the resent reading changed nothing").hasSize(1);
    }

    @Test
    void whatTwingressRefusesFailsTheExchange() throws Exception {
        ProducerTemplate devices = pipes.getCamelTemplate();
        // no device id: the Kamelet's validate step refuses it before any request
        assertThatThrownBy(() -> devices.sendBodyAndHeaders("direct:devices", "{\"Temperature\":1}", Map.of()))
                .isInstanceOf(CamelExecutionException.class).hasCauseInstanceOf(PredicateValidationException.class);
        // nothing in it Twingress can apply: 400 with the reason, and the message is kept in the dead letters
        assertThatThrownBy(() -> devices.sendBodyAndHeaders("direct:devices", "{\"Nothing\":1}",
                Map.of("sensor", "room-7", "reading", "bad-1")))
                .isInstanceOf(CamelExecutionException.class)
                .cause().isInstanceOf(HttpOperationFailedException.class)
                .satisfies(e -> assertThat(((HttpOperationFailedException) e).getStatusCode()).isEqualTo(400));
        JsonNode deadLetters = Json.parse(api.send("GET", "/ingress/deadletters", null, Map.of()).body());
        assertThat(deadLetters.get("value").toString()).contains("room-7");
    }

    static JsonNode twin(String id) throws Exception {
        return Json.parse(api.send("GET", "/digitaltwins/" + id, null, Map.of()).body());
    }
}
