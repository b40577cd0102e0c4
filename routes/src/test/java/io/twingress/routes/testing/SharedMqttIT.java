package io.twingress.routes.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.eclipse.paho.mqttv5.common.packet.UserProperty;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SharedMqttIT {

    @Test
    void mqtt5MessageWithUserPropertyRoundTrips() throws Exception {
        String topic = "smoke/" + UUID.randomUUID() + "/telemetry";
        BlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        MqttClient subscriber = connect("smoke-sub");
        MqttClient publisher = connect("smoke-pub");
        try {
            subscriber.setCallback(new Collector(received));
            subscriber.subscribe(topic, 1);
            MqttMessage message = new MqttMessage("{\"temperature\":21.5}".getBytes(StandardCharsets.UTF_8), 1, false,
                    null);
            MqttProperties properties = new MqttProperties();
            properties.setUserProperties(List.of(new UserProperty("twin-id", "room-1")));
            message.setProperties(properties);

            publisher.publish(topic, message);

            MqttMessage got = received.poll(10, TimeUnit.SECONDS);
            assertThat(got).as("message on " + topic).isNotNull();
            assertThat(new String(got.getPayload(), StandardCharsets.UTF_8)).isEqualTo("{\"temperature\":21.5}");
            assertThat(got.getProperties().getUserProperties())
                    .extracting(UserProperty::getKey, UserProperty::getValue)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("twin-id", "room-1"));
        } finally {
            publisher.disconnect();
            subscriber.disconnect();
            publisher.close();
            subscriber.close();
        }
    }

    private static MqttClient connect(String prefix) throws MqttException {
        MqttClient client = new MqttClient(SharedMqtt.url(), prefix + "-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        client.connect(options);
        return client;
    }

    private record Collector(BlockingQueue<MqttMessage> received) implements MqttCallback {

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.add(message);
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
        }

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
        }
    }
}
