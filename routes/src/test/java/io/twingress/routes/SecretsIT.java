package io.twingress.routes;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import io.twingress.auth.ApiKeyAuthenticator;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Secrets given to Twingress (an API key, an endpoint's password) are never returned by the API, never logged (also
 * when the endpoint they are for fails), absent from the health report and masked in the endpoint URIs Camel shows.
 */
class SecretsIT {

    static final String KEY = "owner-key-7f3a9c2e1b4d6a8f0c";
    static final String PASSWORD = "MqttPassw0rd-9d8c7b";

    @Test
    void secretsStayInside() throws Exception {
        List<String> logged = Collections.synchronizedList(new ArrayList<>());
        AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                logged.add(event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                        : " " + event.getThrowableProxy().getMessage()));
            }
        };
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        appender.start();
        root.addAppender(appender);
        HttpClient http = HttpClient.newHttpClient();
        try (TwingressServer server = TwingressServer.start(Files.createTempDirectory("twingress-secrets-it"), Map.of(
                "twingress.auth.mode", "apikey",
                "twingress.auth.apikeys", "owner:" + ApiKeyAuthenticator.hash(KEY) + ":DataOwner"))) {
            // an MQTT endpoint with a password, on a broker that is not there: its route fails to start
            String endpoint = "{\"properties\":{\"endpointType\":\"Mqtt\",\"brokerUrl\":\"tcp://127.0.0.1:1\","
                    + "\"topic\":\"t\",\"protocolVersion\":5,\"username\":\"u\",\"password\":\"" + PASSWORD + "\"}}";
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                    + "/endpoints/m1?api-version=2023-10-31")).header("Content-Type", "application/json")
                    .header("api-key", KEY).PUT(HttpRequest.BodyPublishers.ofString(endpoint)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(put.body()).doesNotContain(PASSWORD);
            HttpResponse<String> get = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                    + "/endpoints/m1?api-version=2023-10-31")).header("api-key", KEY).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).doesNotContain(PASSWORD);
            // a wrong key is not echoed either
            HttpResponse<String> wrong = http.send(HttpRequest.newBuilder(URI.create(server.baseUrl()
                    + "/models?api-version=2023-10-31")).header("Authorization", "Bearer " + KEY + "-wrong").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(wrong.body()).doesNotContain(KEY);
            HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(server.managementUrl()
                    + "/observe/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(health.body()).doesNotContain(PASSWORD);
            CamelContext context = server.main().getCamelContext();
            context.getEndpoints().forEach(e -> assertThat(e.toString()).doesNotContain(PASSWORD));
        } finally {
            root.detachAppender(appender);
        }
        assertThat(logged).isNotEmpty().noneMatch(line -> line.contains(PASSWORD) || line.contains(KEY)
                || line.contains(ApiKeyAuthenticator.hash(KEY)));
    }
}
