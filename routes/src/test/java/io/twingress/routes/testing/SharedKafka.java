package io.twingress.routes.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import io.twingress.testing.kafka.KafkaBrokerLauncher;

/**
 * The one Apache Kafka broker of a test run: KRaft, broker and controller in one child JVM, started by the first test
 * that asks for it and stopped when the test JVM exits. The broker runs out of process so that Kafka's Scala, Jackson
 * and log4j2 stay off the test classpath; its classpath comes from the {@code twingress-test-kafka-broker} module.
 *
 * <p>Two listeners on 127.0.0.1: PLAINTEXT, and SASL_PLAINTEXT with mechanism PLAIN that accepts the user
 * {@code $ConnectionString} with an Event Hubs connection string as password (how Kafka clients log in to Azure Event
 * Hubs) and the user {@link #SASL_USER}. Files (configuration, data, {@code broker.log}) go to
 * {@code target/kafka-broker}. Tests share the broker, so each uses topics of its own ({@link #newTopic}).
 */
public final class SharedKafka {

    public static final String EVENT_HUBS_USER = "$ConnectionString";
    /** The namespace and event hub the connection string names; with Event Hubs the event hub is the Kafka topic. */
    public static final String EVENT_HUBS_NAMESPACE = "test.servicebus.windows.net";
    public static final String EVENT_HUB = "telemetry";
    private static final String EVENT_HUBS_CONNECTION_STRING = "Endpoint=sb://" + EVENT_HUBS_NAMESPACE
            + "/;SharedAccessKeyName=k;SharedAccessKey=dHdpbmdyZXNzLXRlc3Qta2V5LW5vdC1hLXNlY3JldA==;EntityPath="
            + EVENT_HUB;
    /** A plain SASL user, for a client configured the usual way. */
    public static final String SASL_USER = "twingress";
    public static final String SASL_PASSWORD = "twingress-secret";

    private static final String HEAP = "-Xmx512m";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger TOPICS = new AtomicInteger();

    private static Broker broker;
    private static RuntimeException startFailure;

    private SharedKafka() {
    }

    /** host:port of the PLAINTEXT listener. */
    public static String bootstrapServers() {
        return broker().bootstrap;
    }

    /** host:port of the SASL_PLAINTEXT listener (mechanism PLAIN). */
    public static String saslBootstrapServers() {
        return broker().saslBootstrap;
    }

    /** The connection string the broker accepts as password of {@link #EVENT_HUBS_USER}, as the Azure portal shows it. */
    public static String eventHubsConnectionString() {
        return EVENT_HUBS_CONNECTION_STRING;
    }

    /** Client settings for the SASL listener, logging in as {@code user}. */
    public static Properties saslClientProperties(String user, String password) {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, saslBootstrapServers());
        props.put(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SASL_PLAINTEXT");
        props.put(SaslConfigs.SASL_MECHANISM, "PLAIN");
        props.put(SaslConfigs.SASL_JAAS_CONFIG, plainLogin(user, password));
        return props;
    }

    /** Client settings as the Event Hubs documentation gives them, against the local broker (no TLS). */
    public static Properties eventHubsClientProperties() {
        return saslClientProperties(EVENT_HUBS_USER, EVENT_HUBS_CONNECTION_STRING);
    }

    /** Client settings for the PLAINTEXT listener. */
    public static Properties plaintextClientProperties() {
        Properties props = new Properties();
        props.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
        return props;
    }

    /** Creates {@code name} with {@code partitions} partitions and waits until the broker has it. */
    public static void createTopic(String name, int partitions) {
        try {
            broker().admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all()
                    .get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topic " + name, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topic " + name, e);
        }
    }

    /** Creates a topic whose name no other test of the run uses, and returns that name. */
    public static String newTopic(String prefix, int partitions) {
        String name = prefix + "-" + TOPICS.incrementAndGet() + "-" + UUID.randomUUID().toString().substring(0, 8);
        createTopic(name, partitions);
        return name;
    }

    /** Sends one record over PLAINTEXT and waits for the broker's acknowledgement. */
    public static RecordMetadata produce(String topic, String key, String value, Map<String, String> headers) {
        return produce(plaintextClientProperties(), topic, key, value, headers);
    }

    /** Sends one record with the given client settings (see {@link #saslClientProperties}) and waits for the ack. */
    public static RecordMetadata produce(Properties client, String topic, String key, String value,
            Map<String, String> headers) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, key, value);
            headers.forEach((name, text) -> record.headers().add(name, text.getBytes(StandardCharsets.UTF_8)));
            return producer.send(record).get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while producing to " + topic, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot produce to " + topic, e);
        }
    }

    /** Reads the first {@code count} records of {@code topic} over PLAINTEXT (all partitions, from the beginning). */
    public static List<ConsumerRecord<String, String>> consume(String topic, int count, Duration timeout) {
        return consume(plaintextClientProperties(), topic, count, timeout);
    }

    /**
     * Reads the first {@code count} records of {@code topic} with the given client settings, without a consumer group
     * (partitions assigned, nothing committed). Fails, saying what did arrive, if fewer come within {@code timeout}.
     */
    public static List<ConsumerRecord<String, String>> consume(Properties client, String topic, int count,
            Duration timeout) {
        List<ConsumerRecord<String, String>> records = read(client, topic, r -> r.size() >= count, timeout);
        if (records.size() < count) {
            throw new AssertionError("expected " + count + " records on " + topic + " within " + timeout + ", got "
                    + records.size() + ": " + records.stream().map(r -> r.key() + "=" + r.value()).toList());
        }
        return records.subList(0, count);
    }

    /**
     * Reads {@code topic} over PLAINTEXT from the beginning until what was read is {@code enough} or {@code timeout}
     * has passed, and returns all that was read (the caller checks it).
     */
    public static List<ConsumerRecord<String, String>> consumeUntil(String topic,
            Predicate<List<ConsumerRecord<String, String>>> enough, Duration timeout) {
        return read(plaintextClientProperties(), topic, enough, timeout);
    }

    private static List<ConsumerRecord<String, String>> read(Properties client, String topic,
            Predicate<List<ConsumerRecord<String, String>>> enough, Duration timeout) {
        Properties props = new Properties();
        props.putAll(client);
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (!enough.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(100)).forEach(records::add);
            }
        }
        return records;
    }

    /** A record's headers as text (UTF-8), in order; of a repeated header the last value. */
    public static Map<String, String> headers(ConsumerRecord<?, ?> record) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (Header header : record.headers()) {
            headers.put(header.key(), header.value() == null ? null
                    : new String(header.value(), StandardCharsets.UTF_8));
        }
        return headers;
    }

    private static String plainLogin(String user, String password) {
        return "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + user
                + "\" password=\"" + password + "\";";
    }

    private static synchronized Broker broker() {
        if (startFailure != null) {
            throw new IllegalStateException("the shared Kafka broker failed to start earlier in this JVM",
                    startFailure);
        }
        if (broker == null) {
            try {
                broker = Broker.start(Path.of("target", "kafka-broker").toAbsolutePath());
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return broker;
    }

    /** The child JVM and an admin client on it. */
    private static final class Broker {

        final Process process;
        final String bootstrap;
        final String saslBootstrap;
        final Admin admin;

        private Broker(Process process, String bootstrap, String saslBootstrap, Admin admin) {
            this.process = process;
            this.bootstrap = bootstrap;
            this.saslBootstrap = saslBootstrap;
            this.admin = admin;
        }

        static Broker start(Path dir) {
            long started = System.nanoTime();
            int[] ports = FreePorts.take(3);
            String bootstrap = "127.0.0.1:" + ports[0];
            String saslBootstrap = "127.0.0.1:" + ports[1];
            Path log = dir.resolve("broker.log");
            Process process;
            try {
                deleteRecursively(dir);
                Files.createDirectories(dir);
                Path config = dir.resolve("server.properties");
                Files.writeString(config, serverProperties(dir.resolve("data"), ports));
                Path logConfig = dir.resolve("log4j2.properties");
                Files.writeString(logConfig, LOG4J2);
                String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(uuidBytes());
                process = java(classpath(), logConfig, config, clusterId).directory(dir.toFile())
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare the Kafka broker in " + dir, e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> stop(process), "shared-kafka-stop"));
            Admin admin = awaitReady(process, bootstrap, ports[0], log);
            System.out.printf("Shared Kafka broker on %s (SASL %s) started in %d ms; log %s%n", bootstrap,
                    saslBootstrap, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), log);
            return new Broker(process, bootstrap, saslBootstrap, admin);
        }

        private static String serverProperties(Path data, int[] ports) {
            String jaas = "org.apache.kafka.common.security.plain.PlainLoginModule required"
                    + " user_" + EVENT_HUBS_USER + "=\"" + EVENT_HUBS_CONNECTION_STRING + "\""
                    + " user_" + SASL_USER + "=\"" + SASL_PASSWORD + "\";";
            return String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=1",
                    "controller.quorum.voters=1@127.0.0.1:" + ports[2],
                    "listeners=PLAINTEXT://127.0.0.1:" + ports[0] + ",SASL_PLAINTEXT://127.0.0.1:" + ports[1]
                            + ",CONTROLLER://127.0.0.1:" + ports[2],
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + ports[0] + ",SASL_PLAINTEXT://127.0.0.1:"
                            + ports[1],
                    "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,"
                            + "CONTROLLER:PLAINTEXT",
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "sasl.enabled.mechanisms=PLAIN",
                    "listener.name.sasl_plaintext.plain.sasl.jaas.config=" + jaas,
                    "log.dirs=" + data,
                    "num.partitions=1",
                    "auto.create.topics.enable=true",
                    // one broker: internal topics with one replica, and few partitions so the first group is quick
                    "offsets.topic.replication.factor=1",
                    "offsets.topic.num.partitions=1",
                    "transaction.state.log.replication.factor=1",
                    "transaction.state.log.min.isr=1",
                    "transaction.state.log.num.partitions=1",
                    "share.coordinator.state.topic.replication.factor=1",
                    "share.coordinator.state.topic.min.isr=1",
                    "group.initial.rebalance.delay.ms=0",
                    "");
        }

        private static final String LOG4J2 = String.join("\n",
                "appender.out.type=Console",
                "appender.out.name=out",
                "appender.out.layout.type=PatternLayout",
                "appender.out.layout.pattern=[%d] %p %m (%c)%n",
                "rootLogger.level=INFO",
                "rootLogger.appenderRef.out.ref=out",
                "logger.state.name=state.change.logger",
                "logger.state.level=WARN",
                "");

        /** The launcher (this jar or classes directory) followed by the broker's dependencies. */
        private static String classpath() throws IOException {
            String launcher;
            try {
                launcher = Path.of(KafkaBrokerLauncher.class.getProtectionDomain().getCodeSource().getLocation()
                        .toURI()).toString();
            } catch (URISyntaxException e) {
                throw new IllegalStateException(e);
            }
            try (InputStream in = KafkaBrokerLauncher.class.getResourceAsStream("kafka-broker.classpath")) {
                if (in == null) {
                    throw new IllegalStateException("kafka-broker.classpath is missing next to "
                            + KafkaBrokerLauncher.class.getName() + ": build the twingress-test-kafka-broker module");
                }
                return launcher + java.io.File.pathSeparator + new String(in.readAllBytes(), StandardCharsets.UTF_8)
                        .trim();
            }
        }

        /** The broker's JVM: the launcher formats the storage, runs {@code kafka.Kafka} and watches this JVM. */
        private static ProcessBuilder java(String classpath, Path logConfig, Path config, String clusterId) {
            return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    HEAP, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-Dlog4j2.configurationFile=" + logConfig,
                    "-cp", classpath,
                    KafkaBrokerLauncher.class.getName(), Long.toString(ProcessHandle.current().pid()),
                    config.toString(), clusterId);
        }

        /** Waits until the broker answers a metadata request; fails with the end of its log otherwise. */
        private static Admin awaitReady(Process process, String bootstrap, int port, Path log) {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            // a plain connect first: an admin client polling a closed port logs a warning per attempt
            while (!accepts(port) && process.isAlive() && System.nanoTime() < deadline) {
                sleep(100);
            }
            Properties props = new Properties();
            props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
            Admin admin = Admin.create(props);
            String lastError = "none";
            while (true) {
                if (!process.isAlive()) {
                    admin.close(Duration.ZERO);
                    throw new IllegalStateException("the Kafka broker exited with " + process.exitValue()
                            + " before it answered; the end of " + log + ":\n" + tail(log));
                }
                if (System.nanoTime() > deadline) {
                    admin.close(Duration.ZERO);
                    stop(process);
                    throw new IllegalStateException("the Kafka broker did not answer on " + bootstrap + " within "
                            + START_TIMEOUT + " (last error: " + lastError + "); the end of " + log + ":\n"
                            + tail(log));
                }
                try {
                    if (!admin.describeCluster().nodes().get(1, TimeUnit.SECONDS).isEmpty()) {
                        return admin;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    admin.close(Duration.ZERO);
                    throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
                } catch (ExecutionException | TimeoutException e) {
                    lastError = String.valueOf(e.getCause() == null ? e : e.getCause());
                }
            }
        }

        private static boolean accepts(int port) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        private static void sleep(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the Kafka broker", e);
            }
        }

        private static void stop(Process process) {
            process.descendants().forEach(ProcessHandle::destroy);
            process.destroy();
            try {
                if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }

        private static String tail(Path log) {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return lines.subList(Math.max(0, lines.size() - 40), lines.size()).stream()
                        .collect(Collectors.joining("\n"));
            } catch (IOException e) {
                return "(cannot read " + log + ": " + e + ")";
            }
        }

        private static byte[] uuidBytes() {
            UUID uuid = UUID.randomUUID();
            return java.nio.ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                    .putLong(uuid.getLeastSignificantBits()).array();
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
}
