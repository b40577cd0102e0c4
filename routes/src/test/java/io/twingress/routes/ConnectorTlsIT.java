package io.twingress.routes;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.Test;

import io.twingress.Json;
import io.twingress.routes.testing.SharedMqtt;
import io.twingress.routes.testing.TwingressApi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * MQTT over TLS with a client certificate, both ways: Twingress reads device messages from, and publishes twin events
 * to, the broker's TLS listener, which requires a client certificate, using the trust store and certificate of
 * {@code twingress.tls.*}. The test's own clients use the plain listener of the same broker.
 */
class ConnectorTlsIT {

    static final String MODEL = "dtmi:test:Tls;1";

    @Test
    void mqttIngressAndEgressConnectOverTlsWithAClientCertificate() throws Exception {
        String keyStore = SharedMqtt.keyStore().toString();
        Map<String, String> props = Map.of(
                "twingress.tls.trustStore", keyStore,
                "twingress.tls.trustStorePassword", TestTls.PASSWORD,
                "twingress.tls.keyStore", keyStore,
                "twingress.tls.keyStorePassword", TestTls.PASSWORD,
                "twingress.ingress.mqtt.enabled", "true",
                "twingress.ingress.mqtt.brokerUrl", SharedMqtt.tlsUrl(),
                "twingress.ingress.mqtt.clientId", "tls-it-" + UUID.randomUUID(),
                "twingress.ingress.mqtt.topics", "tls-it/+/messages/events/#",
                "twingress.ingress.mqtt.deviceIdPattern", "^tls-it/([^/]+)/");
        MqttClient client = new MqttClient(SharedMqtt.url(), "tls-it-" + UUID.randomUUID(), new MemoryPersistence());
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (TwingressServer server = TwingressServer.start(Files.createTempDirectory("twingress-tls-it"), props)) {
            client.connect(new MqttConnectionOptions());
            client.subscribe(new MqttSubscription[] {new MqttSubscription("tls-it-out/#", 1)},
                    new IMqttMessageListener[] {(topic, message) ->
                        events.add(new String(message.getPayload(), StandardCharsets.UTF_8))});
            TwingressApi api = new TwingressApi(server.baseUrl());
            api.putModel(MODEL, "Temperature");
            api.putTwin("tls-1", "{\"$metadata\":{\"$model\":\"" + MODEL + "\"},\"Temperature\":0}", Map.of());
            api.putEndpoint("mqtt-tls", "{\"endpointType\":\"Mqtt\",\"brokerUrl\":\"" + SharedMqtt.tlsUrl()
                    + "\",\"topic\":\"tls-it-out/{twinId}\",\"qos\":1}");
            api.putRoute("mqtt-tls-updates", "mqtt-tls", "type = 'Microsoft.DigitalTwins.Twin.Update'");

            MqttMessage reading = new MqttMessage("{\"Temperature\":21.5}".getBytes(StandardCharsets.UTF_8));
            reading.setQos(1);
            client.publish("tls-it/tls-1/messages/events/", reading);
            await().atMost(Duration.ofSeconds(30)).until(() -> Json.parse(api.send("GET", "/digitaltwins/tls-1",
                    null, Map.of()).body()).path("Temperature").asDouble() == 21.5);
            String event = events.poll(30, TimeUnit.SECONDS);
            assertThat(event).as("the twin's update event over the TLS egress connection").isNotNull();
            JsonNode update = Json.parse(event);
            assertThat(update.path("subject").asText()).isEqualTo("tls-1");
            assertThat(update.at("/data/patch/0/value").asDouble()).isEqualTo(21.5);
        } finally {
            if (client.isConnected()) {
                client.disconnect();
            }
            client.close();
        }
    }
}
