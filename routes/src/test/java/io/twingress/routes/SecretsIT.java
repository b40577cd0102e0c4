package io.twingress.routes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.StackTraceElementProxy;
import ch.qos.logback.core.AppenderBase;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Route;
import org.apache.camel.component.azure.eventhubs.EventHubsEndpoint;
import org.apache.camel.component.azure.servicebus.ServiceBusEndpoint;
import org.apache.camel.component.kafka.KafkaEndpoint;
import org.apache.camel.component.paho.mqtt5.PahoMqtt5Endpoint;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.DumpRoutesStrategy;
import org.apache.camel.spi.ModelToYAMLDumper;
import org.apache.camel.support.PluginHelper;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import io.twingress.auth.ApiKeyAuthenticator;
import io.twingress.event.DeadLetters;
import io.twingress.routes.testing.HttpReceiver;
import io.twingress.routes.testing.SharedKafka;
import io.twingress.routes.testing.SharedMqtt;
import io.twingress.routes.testing.TwingressApi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Secrets given to Twingress (an API key, the connectors' passwords and connection strings, every endpoint type's
 * credentials) are never returned by the API, never logged (also when what they are for fails), absent from the
 * health report with full details and the dead letters, and masked in Camel's route dumps and endpoint URIs.
 */
class SecretsIT {

    static final String KEY = "owner-key-7f3a9c2e1b4d6a8f0c";
    static final String PASSWORD = "MqttPassw0rd-9d8c7b";
    static final String KAFKA_PASSWORD = "KafkaEgressPw-5e4d3c";
    static final String DEAD_LETTER_PASSWORD = "KafkaDeadLetterPw-2b1a09";
    static final String BEARER = "WebhookBearer-8a7b6c5d";
    static final String HOOK_KEY = "WebhookKey-1f2e3d4c";
    static final String GRID_KEY = "EventGridKey-6b5a4f3e";
    static final String BUS_KEY = "ServiceBusKey-0c9d8e7f";
    static final String HUB_KEY = "EventHubsKey-3a2b1c0d";
    static final String INGRESS_KAFKA_PASSWORD = "KafkaIngressPw-4d5e6f7a";
    static final String INGRESS_MQTT_PASSWORD = "MqttIngressPw-7e8f9a0b";
    static final List<String> SECRETS = List.of(KEY, ApiKeyAuthenticator.hash(KEY), PASSWORD, KAFKA_PASSWORD,
            DEAD_LETTER_PASSWORD, BEARER, HOOK_KEY, GRID_KEY, BUS_KEY, HUB_KEY, INGRESS_KAFKA_PASSWORD,
            INGRESS_MQTT_PASSWORD);

    @Test
    void secretsStayInside() throws Exception {
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                StringBuilder line = new StringBuilder(event.getFormattedMessage());
                for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
                    line.append(" ").append(t.getClassName()).append(": ").append(t.getMessage());
                    for (StackTraceElementProxy frame : t.getStackTraceElementProxyArray()) {
                        line.append(" ").append(frame.getSTEAsString());
                    }
                }
                logged.add(line.toString());
            }
        };
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        appender.start();
        root.addAppender(appender);
        Path dir = Files.createTempDirectory("twingress-secrets-it");
        Path dumps = dir.resolve("dumps");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("twingress.auth.mode", "apikey");
        props.put("twingress.auth.apikeys", "owner:" + ApiKeyAuthenticator.hash(KEY) + ":DataOwner");
        // both ingress connectors with a password: Kafka's is refused by the broker, so its consumer keeps failing
        props.put("twingress.ingress.kafka.enabled", "true");
        props.put("twingress.ingress.kafka.brokers", SharedKafka.saslBootstrapServers());
        props.put("twingress.ingress.kafka.topics", SharedKafka.newTopic("secrets", 1));
        props.put("twingress.ingress.kafka.securityProtocol", "SASL_PLAINTEXT");
        props.put("twingress.ingress.kafka.saslJaasConfig", "org.apache.kafka.common.security.plain.PlainLoginModule"
                + " required username=\"" + SharedKafka.SASL_USER + "\" password=\"" + INGRESS_KAFKA_PASSWORD
                + "\";");
        props.put("twingress.ingress.mqtt.enabled", "true");
        props.put("twingress.ingress.mqtt.brokerUrl", SharedMqtt.url());
        props.put("twingress.ingress.mqtt.clientId", "secrets-it");
        props.put("twingress.ingress.mqtt.userName", "device");
        props.put("twingress.ingress.mqtt.password", INGRESS_MQTT_PASSWORD);
        props.put("twingress.egress.minTimeToLive", "PT1S");
        props.put("twingress.egress.pollPeriod", "50");
        // a route dump when started, as an operator would ask for one
        props.put("camel.main.dumpRoutes", "yaml");
        props.put("camel.main.dumpRoutesInclude", "all");
        props.put("camel.main.dumpRoutesOutput", dumps.toString());
        HttpClient http = HttpClient.newHttpClient();
        try (TwingressServer server = TwingressServer.start(dir, props);
                HttpReceiver hook = HttpReceiver.open().failWith(500)) {
            TwingressApi api = new TwingressApi(server.baseUrl(), Map.of("api-key", KEY));
            String fail = ",\"retryPolicy\":{\"timeToLive\":\"PT2S\",\"initialDelay\":\"PT0.1S\"}";
            Map<String, String> endpoints = new LinkedHashMap<>();
            // a broker that is not there: the MQTT route fails to start
            endpoints.put("mqtt", "{\"endpointType\":\"Mqtt\",\"brokerUrl\":\"tcp://127.0.0.1:1\",\"topic\":\"t\","
                    + "\"protocolVersion\":5,\"username\":\"u\",\"password\":\"" + PASSWORD + "\"" + fail + "}");
            // the broker refuses this password, and the one of dead-letters-to-kafka's dead letters
            endpoints.put("kafka", "{\"endpointType\":\"Kafka\",\"bootstrapServers\":\""
                    + SharedKafka.saslBootstrapServers() + "\",\"topic\":\"t\",\"securityProtocol\":\"SASL_PLAINTEXT\","
                    + "\"saslMechanism\":\"PLAIN\",\"saslUsername\":\"u\",\"saslPassword\":\"" + KAFKA_PASSWORD + "\""
                    + fail + "}");
            endpoints.put("bearer", "{\"endpointType\":\"Webhook\",\"url\":\"" + hook.url("/bearer") + "\","
                    + "\"authentication\":{\"type\":\"Bearer\",\"token\":\"" + BEARER + "\"}" + fail + "}");
            endpoints.put("dead-letters-to-kafka", "{\"endpointType\":\"Webhook\",\"url\":\"" + hook.url("/dl")
                    + "\"" + fail + ",\"deadLetter\":{\"type\":\"Kafka\",\"bootstrapServers\":\""
                    + SharedKafka.saslBootstrapServers() + "\",\"topic\":\"dl\","
                    + "\"securityProtocol\":\"SASL_PLAINTEXT\",\"saslMechanism\":\"PLAIN\",\"saslUsername\":\"u\","
                    + "\"saslPassword\":\"" + DEAD_LETTER_PASSWORD + "\"}}");
            endpoints.put("key", "{\"endpointType\":\"Webhook\",\"url\":\"" + hook.url("/key") + "\","
                    + "\"authentication\":{\"type\":\"Key\",\"headerName\":\"x-functions-key\",\"key\":\"" + HOOK_KEY
                    + "\"}" + fail + "}");
            endpoints.put("grid", "{\"endpointType\":\"EventGrid\","
                    + "\"TopicEndpoint\":\"https://127.0.0.1:1/api/events\",\"accessKey1\":\"" + GRID_KEY + "\""
                    + fail + "}");
            // Azure namespaces that cannot be reached from here
            endpoints.put("bus", "{\"endpointType\":\"ServiceBus\",\"primaryConnectionString\":\"Endpoint=sb://"
                    + "secrets-it.invalid/;SharedAccessKeyName=k;SharedAccessKey=" + BUS_KEY + ";EntityPath=twins\""
                    + fail + "}");
            endpoints.put("hub", "{\"endpointType\":\"EventHub\",\"connectionStringPrimaryKey\":\"Endpoint=sb://"
                    + "secrets-it.invalid/;SharedAccessKeyName=k;SharedAccessKey=" + HUB_KEY + ";EntityPath=hub\""
                    + fail + "}");
            for (Map.Entry<String, String> endpoint : endpoints.entrySet()) {
                HttpResponse<String> put = api.send("PUT", "/endpoints/" + endpoint.getKey(), "{\"properties\":"
                        + endpoint.getValue() + "}", Map.of());
                assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
                assertNoSecret("PUT /endpoints/" + endpoint.getKey(), put.body());
                api.putRoute("all-" + endpoint.getKey(), endpoint.getKey(), "true");
            }
            api.putModel("dtmi:test:Secret;1", "Temperature");
            api.putTwin("t1", "{\"$metadata\":{\"$model\":\"dtmi:test:Secret;1\"},\"Temperature\":1}", Map.of());
            // the webhooks got their credentials (so they were in use) and failed; the others fail on their own
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(hook.requests())
                    .anyMatch(r -> ("Bearer " + BEARER).equals(r.header("Authorization")))
                    .anyMatch(r -> HOOK_KEY.equals(r.header("x-functions-key"))));
            for (String name : List.of("bearer", "key", "grid")) {
                api.awaitDeadLetters(name, 1, Duration.ofSeconds(30));
            }

            assertNoSecret("GET /endpoints", api.send("GET", "/endpoints", null, Map.of()).body());
            for (String name : endpoints.keySet()) {
                assertNoSecret("GET /endpoints/" + name, api.send("GET", "/endpoints/" + name, null, Map.of())
                        .body());
                assertNoSecret("dead letters of " + name, api.send("GET", "/endpoints/" + name + "/deadletters",
                        null, Map.of()).body());
            }
            assertNoSecret("ingress dead letters", api.send("GET", "/ingress/deadletters", null, Map.of()).body());
            // a wrong key is not echoed either
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                    + "/models?api-version=2023-10-31")).header("Authorization", "Bearer " + KEY + "-wrong").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertNoSecret("401", wrong.body());
            for (String level : List.of("default", "full")) {
                HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(server.managementUrl()
                        + "/observe/health?exposureLevel=" + level)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(health.body()).contains("egress-endpoints");
                assertNoSecret("health " + level, health.body());
            }

            // what Camel shows of its routes and endpoints: the URIs, and a dump of every route now running
            CamelContext context = server.main().getCamelContext();
            for (Endpoint endpoint : context.getEndpoints()) {
                assertNoSecret("endpoint", endpoint.toString());
                assertNoSecret("endpoint", endpoint.getEndpointUri());
            }
            // ...and yet each connector was given its secret
            assertThat(configured(context, KafkaEndpoint.class, e -> e.getConfiguration().getSaslJaasConfig()))
                    .anyMatch(jaas -> jaas.contains(KAFKA_PASSWORD))
                    .anyMatch(jaas -> jaas.contains(DEAD_LETTER_PASSWORD))
                    .anyMatch(jaas -> jaas.contains(INGRESS_KAFKA_PASSWORD));
            assertThat(configured(context, PahoMqtt5Endpoint.class, e -> e.getConfiguration().getPassword()))
                    .contains(PASSWORD, INGRESS_MQTT_PASSWORD);
            assertThat(configured(context, ServiceBusEndpoint.class, e -> e.getConfiguration().getConnectionString()))
                    .anyMatch(text -> text.contains(BUS_KEY));
            assertThat(configured(context, EventHubsEndpoint.class, e -> e.getConfiguration().getConnectionString()))
                    .anyMatch(text -> text.contains(HUB_KEY));
            for (Route route : context.getRoutes()) {
                assertNoSecret("route " + route.getRouteId(), route.getEndpoint().getEndpointUri());
                assertNoSecret("route " + route.getRouteId(), String.valueOf(route.getProperties()));
            }
            // Camel's dumps leave out routes made from templates; management tools dump each route's model
            ModelToYAMLDumper yaml = PluginHelper.getModelToYAMLDumper(context);
            Model routeModel = context.getCamelContextExtension().getContextPlugin(Model.class);
            List<RouteDefinition> models;
            // endpoint and sink routes that cannot start are removed and added again from other threads while they
            // retry: a copy, taken under the model's own lock (its methods synchronize on it)
            synchronized (routeModel) {
                models = new ArrayList<>(routeModel.getRouteDefinitions());
            }
            assertThat(models).extracting(RouteDefinition::getRouteId).contains("egress-send-kafka",
                    "egress-send-mqtt", "egress-send-bus", "egress-send-hub",
                    "egress-send-" + DeadLetters.kafkaRouteName("dead-letters-to-kafka"));
            for (RouteDefinition model : models) {
                assertNoSecret("model of " + model.getRouteId(), yaml.dumpModelAsYaml(context, model, true, true,
                        false, false) + model.getTemplateParameters());
            }
            context.getCamelContextExtension().getContextPlugin(DumpRoutesStrategy.class).dumpRoutes("yaml");
        } finally {
            root.detachAppender(appender);
        }
        List<Path> dumped;
        try (Stream<Path> files = Files.walk(dumps)) {
            dumped = files.filter(Files::isRegularFile).toList();
        }
        assertThat(dumped).isNotEmpty();
        String dump = String.join("\n", dumped.stream().map(SecretsIT::read).toList());
        assertThat(dump).contains("ingress-kafka", "saslJaasConfig", "ingress-mqtt");
        assertNoSecret("route dump", dump);
        assertThat(logged).isNotEmpty();
        logged.forEach(line -> assertNoSecret("log", line));
    }

    static <T extends Endpoint> List<String> configured(CamelContext context, Class<T> type,
            Function<T, String> option) {
        return context.getEndpoints().stream().filter(type::isInstance).map(type::cast).map(option)
                .filter(Objects::nonNull).toList();
    }

    static void assertNoSecret(String where, String text) {
        for (String secret : SECRETS) {
            assertThat(text).as("%s shows a secret", where).doesNotContain(secret);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
