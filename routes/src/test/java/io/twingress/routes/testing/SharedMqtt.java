package io.twingress.routes.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import com.hivemq.embedded.EmbeddedHiveMQ;

import io.twingress.routes.TestTls;

/**
 * The one MQTT broker of a test run (MQTT 3.1.1 and 5): HiveMQ Community Edition embedded in the test JVM, started by
 * the first test that asks for it and stopped when the JVM exits. It listens on 127.0.0.1 only, keeps sessions in
 * memory and its folders under {@code target/hivemq}. The receive maximum and the per-client queue are raised from
 * HiveMQ's defaults (10 in flight, 1,000 queued), past which it drops QoS 1/2 messages without telling the publisher.
 * Tests share the broker, so each uses topics of its own. A second listener takes MQTT over TLS and asks every client
 * for a certificate: it presents and trusts the one self-signed certificate of {@link #keyStore()} (password
 * {@link TestTls#PASSWORD}), which a client presents and trusts in turn.
 */
public final class SharedMqtt {

    private static final int SERVER_RECEIVE_MAXIMUM = 65_535;
    private static final long MAX_QUEUE_SIZE = 1_000_000;

    private static EmbeddedHiveMQ hivemq;
    private static int port;
    private static int tlsPort;
    private static Path keyStore;
    private static RuntimeException startFailure;

    private SharedMqtt() {
    }

    /** The broker's address for MQTT clients, {@code tcp://127.0.0.1:<port>}. */
    public static String url() {
        return "tcp://127.0.0.1:" + port();
    }

    /** The TLS listener's address, {@code ssl://127.0.0.1:<port>}. */
    public static String tlsUrl() {
        port();
        return "ssl://127.0.0.1:" + tlsPort;
    }

    /** The broker's certificate and key (PKCS12), which its TLS listener also trusts as a client certificate. */
    public static Path keyStore() {
        port();
        return keyStore;
    }

    public static synchronized int port() {
        if (startFailure != null) {
            throw new IllegalStateException("the shared MQTT broker failed to start earlier in this JVM",
                    startFailure);
        }
        if (hivemq == null) {
            try {
                start(Path.of("target", "hivemq").toAbsolutePath());
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return port;
    }

    private static void start(Path dir) {
        long started = System.nanoTime();
        int[] chosen = FreePorts.take(2);
        Path config = dir.resolve("conf");
        Path tls;
        try {
            deleteRecursively(dir);
            Files.createDirectories(config);
            Files.createDirectories(dir.resolve("data"));
            Files.createDirectories(dir.resolve("extensions"));
            tls = TestTls.create(dir).keyStore();
            Files.writeString(config.resolve("config.xml"), config(chosen[0], chosen[1], tls));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the HiveMQ folders in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while making the broker's certificate", e);
        }
        EmbeddedHiveMQ broker = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(config)
                .withDataFolder(dir.resolve("data"))
                .withExtensionsFolder(dir.resolve("extensions"))
                // keep the test's logback configuration: HiveMQ would otherwise install its own
                .withoutLoggingBootstrap()
                .build();
        try {
            broker.start().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting HiveMQ", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("HiveMQ did not start on 127.0.0.1:" + chosen[0], e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.stop().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("HiveMQ did not stop cleanly: " + e);
            }
        }, "shared-mqtt-stop"));
        hivemq = broker;
        port = chosen[0];
        tlsPort = chosen[1];
        keyStore = tls;
        System.out.printf("Shared MQTT broker (HiveMQ CE) on tcp://127.0.0.1:%d and ssl://127.0.0.1:%d started in %d ms%n",
                chosen[0], chosen[1], TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static String config(int port, int tlsPort, Path keyStore) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>127.0.0.1</bind-address>
                        </tcp-listener>
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>127.0.0.1</bind-address>
                            <tls>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%4$s</private-key-password>
                                </keystore>
                                <truststore>
                                    <path>%3$s</path>
                                    <password>%4$s</password>
                                </truststore>
                                <client-authentication-mode>REQUIRED</client-authentication-mode>
                            </tls>
                        </tls-tcp-listener>
                    </listeners>
                    <mqtt>
                        <receive-maximum>
                            <server-receive-maximum>%d</server-receive-maximum>
                        </receive-maximum>
                        <queued-messages>
                            <max-queue-size>%d</max-queue-size>
                        </queued-messages>
                    </mqtt>
                    <persistence>
                        <mode>in-memory</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, tlsPort, keyStore, TestTls.PASSWORD, SERVER_RECEIVE_MAXIMUM, MAX_QUEUE_SIZE);
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
