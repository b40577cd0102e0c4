package io.twingress.bench;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.twingress.testing.kafka.KafkaBrokerLauncher;

/**
 * A KRaft Kafka broker (4.0.1, from the {@code twingress-test-kafka-broker} module) in a child JVM, as the
 * integration tests' {@code SharedKafka} runs it, PLAINTEXT only, with files in a directory of the caller's; and
 * readers that count what arrives on a topic. The child's launcher ends it if this JVM dies.
 */
final class BenchKafka implements AutoCloseable {

    /**
     * The broker JVM's options, {@code -Dbench.kafka.jvm}: by default the tests' heap and JIT settings, a broker that
     * starts fast and stays small beside the measured JVM.
     */
    static final String JVM_OPTIONS = System.getProperty("bench.kafka.jvm",
            "-Xmx512m -XX:+UseSerialGC -XX:TieredStopAtLevel=1");

    private final Process process;
    private final String bootstrap;
    private final Admin admin;
    private final List<Thread> readers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean closing;

    private BenchKafka(Process process, String bootstrap, Admin admin) {
        this.process = process;
        this.bootstrap = bootstrap;
        this.admin = admin;
    }

    static BenchKafka start(Path dir) throws Exception {
        int port = InProcessTwingress.freePort();
        int controller = InProcessTwingress.freePort();
        String bootstrap = "127.0.0.1:" + port;
        Files.createDirectories(dir);
        Path config = dir.resolve("server.properties");
        Files.writeString(config, String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controller,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                "num.partitions=1",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0", ""));
        Path logConfig = dir.resolve("log4j2.properties");
        Files.writeString(logConfig, String.join("\n", "appender.out.type=Console", "appender.out.name=out",
                "appender.out.layout.type=PatternLayout", "appender.out.layout.pattern=[%d] %p %m (%c)%n",
                "rootLogger.level=WARN", "rootLogger.appenderRef.out.ref=out", ""));
        UUID uuid = UUID.randomUUID();
        String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(java.nio.ByteBuffer.allocate(16)
                .putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits()).array());
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(JVM_OPTIONS.split(" +")));
        command.addAll(List.of("-Dlog4j2.configurationFile=" + logConfig, "-cp", classpath(),
                KafkaBrokerLauncher.class.getName(), Long.toString(ProcessHandle.current().pid()), config.toString(),
                clusterId));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("broker.log").toFile()).start();
        // a plain connect first: an admin client polling a closed port logs a warning per attempt
        long listening = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (process.isAlive() && System.nanoTime() < listening && !accepts(port)) {
            Thread.sleep(100);
        }
        Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        props.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "200");
        Admin admin = Admin.create(props);
        BenchKafka kafka = new BenchKafka(process, bootstrap, admin);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                kafka.close();
                throw new IllegalStateException("the Kafka broker did not start; see " + dir.resolve("broker.log"));
            }
            try {
                if (!admin.describeCluster().nodes().get(1, TimeUnit.SECONDS).isEmpty()) {
                    return kafka;
                }
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // not up yet
            }
        }
    }

    private static boolean accepts(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static String classpath() throws IOException, URISyntaxException {
        String launcher = Path.of(KafkaBrokerLauncher.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toString();
        try (InputStream in = KafkaBrokerLauncher.class.getResourceAsStream("kafka-broker.classpath")) {
            if (in == null) {
                throw new IllegalStateException("kafka-broker.classpath is missing: build twingress-test-kafka-broker");
            }
            return launcher + java.io.File.pathSeparator + new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
        }
    }

    String bootstrapServers() {
        return bootstrap;
    }

    long pid() {
        return process.pid();
    }

    void createTopic(String name, int partitions) throws Exception {
        admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
    }

    /**
     * Reads {@code topic} from its end on a thread of its own until {@link #close()}, counting each record into
     * {@code tally} with its {@code ce_time} header. Returns once the reader is positioned, so nothing sent after
     * the call is missed.
     */
    void read(String topic, DeliveryTally tally) throws InterruptedException {
        java.util.concurrent.CountDownLatch positioned = new java.util.concurrent.CountDownLatch(1);
        Thread reader = new Thread(() -> {
            Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                positioned.countDown();
                while (!closing) {
                    for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                        Header time = record.headers().lastHeader("ce_time");
                        tally.arrived(time == null ? null : new String(time.value(), StandardCharsets.UTF_8));
                    }
                }
            } catch (RuntimeException e) {
                if (!closing) {
                    System.err.println("reader of " + topic + " failed: " + e);
                }
            }
        }, "kafka-reader-" + topic);
        reader.setDaemon(true);
        reader.start();
        readers.add(reader);
        if (!positioned.await(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the reader of " + topic + " did not start");
        }
    }

    @Override
    public void close() throws InterruptedException {
        closing = true;
        for (Thread reader : readers) {
            reader.join(5_000);
        }
        admin.close(Duration.ofSeconds(5));
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
