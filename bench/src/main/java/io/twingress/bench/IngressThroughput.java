package io.twingress.bench;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import com.fasterxml.jackson.databind.JsonNode;

import io.twingress.Json;
import io.twingress.ingest.IngressPipeline;
import io.twingress.store.OutboxCursor;
import io.twingress.store.OutboxPosition;
import io.twingress.store.StoreTx;
import io.twingress.store.TwinStore;

/**
 * Kafka ingress (issue 9's Performance section): telemetry for {@code --twins} twins goes through a real Kafka broker
 * (child JVM), the application's {@code ingress-kafka} route, the default mapping and the twin update on the embedded
 * SQLite store (synchronous=FULL), or PostgreSQL with {@code --store}, the application in this JVM.
 *
 * <ol>
 * <li><b>Sustained</b>: {@code --messages} records {@code {"Temperature": i.5}} keyed by twin id are produced first to a
 * topic of {@code --partitions} partitions, with the ingress route stopped. Then the route starts and the clock runs
 * until every message is applied: the messages each completed batch exchange of {@code ingress-kafka} applied or
 * dead-lettered (duplicates, as after a consumer group rebalance, not counted) are added up (an event notifier on
 * the application's context; a batch completes after {@code ingressPipeline.apply} returned, so after its commit),
 * cross-checked with {@code twingress_ingress_applied_total} from {@code /observe/metrics}. Then sampled twins must
 * hold the value of their last message (per-twin order) and nothing may be dead-lettered.</li>
 * <li><b>Same-run reference</b>, right before: a plain Camel route in its own context in this JVM, with the ingress
 * route's consumer options (batching, maxPollRecords, consumersCount, pollTimeoutMs, no auto commit) and another
 * group id, counts the same records: the raw camel-kafka consume rate.</li>
 * <li><b>Latency</b>: a producer paced at {@code --rate} msgs/s (open loop: each record is stamped with its scheduled
 * send time, {@code System.nanoTime()} in a header, so a producer that falls behind does not hide the delay) for
 * {@code --latency-duration} s; latency = the batch exchange's completion (after the durable commit, when any reader
 * sees the value) minus the stamp, for every message after the first {@code --latency-warmup} s. Producer and
 * application share this JVM's clock.</li>
 * <li><b>Latency references</b>, right before, each with the same paced producer into a topic of its own: a plain
 * camel-kafka batching route with the ingress route's consumer options as the application resolves them
 * (maxPollRecords, consumersCount, pollTimeoutMs) and camel-kafka's batching interval of 10 ms, which the ingress
 * route used until it had a consumer of its own; latency = the batch exchange's end minus the stamp. Then the floor:
 * plain Kafka consumers, polling as the ingress route does; latency = the poll's return minus the stamp. What Kafka,
 * the producer's linger (and camel-kafka's batching) and this machine cost before Twingress does anything.</li>
 * </ol>
 * Each phase prints process CPU (this JVM, and the broker's child JVM apart), GC time, and the heap after a full GC,
 * and this JVM's CPU per message by thread group ({@link ThreadCpu}).
 *
 * <p>Arguments: {@code --messages 1000000} {@code --twins 10000} {@code --partitions 4} {@code --rate 5000}
 * {@code --latency-duration 30} {@code --latency-warmup 5} (seconds) {@code --max-poll-records} (default: the
 * application's, {@code twingress.ingress.kafka.maxPollRecords}) {@code --app "key=value,key=value"} (application
 * properties for the run) {@code --samples 50} (twins whose final value is checked) {@code --history on}
 * ({@code off}: the default history connection is deleted before the messages flow, so that nothing is historized)
 * {@code --linger-ms 5} (the latency phase's producer: Kafka 4.0's default; 0 sends about one request per record,
 * which on 2 cores costs the broker a quarter of the machine; the linger counts in the latency) {@code --store sqlite}
 * ({@code postgresql}: a PostgreSQL server started for the run, durable commits, as {@link PatchThroughput} runs it;
 * {@code postgresql-async}: without durable commits).
 */
public final class IngressThroughput {

    static final String TOPIC = "telemetry-bench";
    static final String ROUTE = "ingress-kafka";
    static final String SENT = "bench-sent-nanos";
    private static final String API = "?api-version=2023-10-31";
    private static final double TARGET_RATE = 30_000;
    private static final double TARGET_P99_MS = 50;

    public static void main(String[] args) throws Exception {
        int messages = Integer.parseInt(Args.value(args, "--messages", "1000000"));
        int twins = Integer.parseInt(Args.value(args, "--twins", "10000"));
        int partitions = Integer.parseInt(Args.value(args, "--partitions", "4"));
        int rate = Integer.parseInt(Args.value(args, "--rate", "5000"));
        int latencySeconds = Integer.parseInt(Args.value(args, "--latency-duration", "30"));
        int latencyWarmup = Integer.parseInt(Args.value(args, "--latency-warmup", "5"));
        String maxPoll = Args.value(args, "--max-poll-records", null);
        String appProps = Args.value(args, "--app", "");
        int samples = Integer.parseInt(Args.value(args, "--samples", "50"));
        boolean history = !"off".equals(Args.value(args, "--history", "on"));
        String linger = Args.value(args, "--linger-ms", "5");
        String store = Args.value(args, "--store", "sqlite");
        int jitWarmup = Integer.parseInt(Args.value(args, "--jit-warmup", "200000"));
        Machine.describe("IngressThroughput");
        System.out.printf("%d messages for %d twins, topic of %d partitions keyed by twin id; latency at %d msgs/s for"
                + " %d s (first %d s not counted); in-process application on %s%n", messages, twins, partitions,
                rate, latencySeconds, latencyWarmup, store);
        Path dir = Files.createTempDirectory("twingress-ingress");
        System.out.println("store " + store + ", " + FsyncProbe.describe(dir, 1000));
        long brokerFrom = System.nanoTime();
        try (BenchKafka kafka = BenchKafka.start(dir.resolve("kafka"))) {
            kafka.createTopic(TOPIC, partitions);
            Map<String, String> props = new HashMap<>();
            props.put("twingress.ingress.kafka.enabled", "true");
            props.put("twingress.ingress.kafka.brokers", kafka.bootstrapServers());
            props.put("twingress.ingress.kafka.topics", TOPIC);
            props.put("twingress.ingress.kafka.groupId", "twingress-bench");
            if (maxPoll != null) {
                props.put("twingress.ingress.kafka.maxPollRecords", maxPoll);
            }
            props.putAll(Args.appProperties(args));
            try (InProcessTwingress app = InProcessTwingress.start(store, dir, props)) {
                CamelContext camel = app.main().getCamelContext();
                // stopped until the topic holds every message: the sustained phase starts from a full backlog
                camel.getRouteController().stopRoute(ROUTE);
                String effectivePoll = camel.resolvePropertyPlaceholders("{{twingress.ingress.kafka.maxPollRecords}}");
                String consumers = camel.resolvePropertyPlaceholders("{{twingress.ingress.kafka.consumersCount}}");
                String storeSettings = app.postgresUrl() != null ? "postgresql " + app.postgresUrl()
                        : "sqlite synchronous " + app.sqliteSynchronous();
                System.out.printf(Locale.ROOT, "Kafka 4.0.1 broker (child JVM, pid %d, %s) on %s; broker and"
                        + " application up in %.1f s; ingress maxPollRecords %s, consumersCount %s, %s%s%n",
                        kafka.pid(), BenchKafka.JVM_OPTIONS, kafka.bootstrapServers(),
                        (System.nanoTime() - brokerFrom) / 1e9, effectivePoll, consumers, storeSettings,
                        appProps.isBlank() ? "" : "; application properties set: " + appProps);
                BatchWatch watch = new BatchWatch();
                watch.setIgnoreCamelContextEvents(true);
                watch.setIgnoreRouteEvents(true);
                watch.setIgnoreServiceEvents(true);
                watch.setIgnoreStepEvents(true);
                watch.setIgnoreExchangeCreatedEvent(true);
                watch.setIgnoreExchangeSendingEvents(true);
                watch.setIgnoreExchangeSentEvents(true);
                watch.setIgnoreExchangeRedeliveryEvents(true);
                camel.getManagementStrategy().addEventNotifier(watch);
                camel.getCamelContextExtension().setEventNotificationApplicable(true);
                watch.start();

                long setupFrom = System.nanoTime();
                createTwins(app.port(), twins);
                System.out.printf(Locale.ROOT, "model and %d twins created in %.1f s%n", twins,
                        (System.nanoTime() - setupFrom) / 1e9);
                if (!history) {
                    try (RawHttp http = new RawHttp("127.0.0.1", app.port())) {
                        RawHttp.Reply reply = http.send("DELETE", "/historyconnections/default" + API, null, null);
                        System.out.println("history connection 'default' deleted (--history off): " + reply.status());
                    }
                }

                Properties producerProps = new Properties();
                producerProps.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
                producerProps.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                producerProps.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
                producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "20");
                producerProps.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
                producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
                if (jitWarmup > 0) {
                    warmUp(camel, watch, producerProps, jitWarmup, twins);
                }
                long produceFrom = System.nanoTime();
                produce(producerProps, messages, twins, IngressThroughput::body);
                double produceSeconds = (System.nanoTime() - produceFrom) / 1e9;
                System.out.printf(Locale.ROOT, "produced %d messages in %.1f s (%.0f msgs/s), load %s%n", messages,
                        produceSeconds, messages / produceSeconds, Machine.load());

                System.out.println();
                System.out.println("== 1. reference: a plain camel-kafka batching route that only counts, own group");
                Phase reference = reference(kafka.bootstrapServers(), effectivePoll, consumers, messages,
                        kafka.pid());
                print("reference", reference);

                JdbcIngressReference.Result storeReference = null;
                if (app.sqliteFile() != null) {
                    System.out.println();
                    System.out.println("== 1b. store reference: the twins' writer's statements for each message as raw"
                            + " JDBC on the application's SQLite file, one thread, a commit per " + effectivePoll);
                    storeReference = JdbcIngressReference.run(app, Math.min(messages, 300_000),
                            Integer.parseInt(effectivePoll), partitions, TOPIC);
                    System.out.println("store reference: " + storeReference + "; load " + Machine.load());
                }

                System.out.println();
                System.out.println("== 2. sustained: the application's " + ROUTE + " route from a backlog of " + messages);
                StoreMeters metrics = new StoreMeters(app.managementPort());
                Map<String, Double> before = metrics.scrape();
                Phase ingress = sustained(camel, watch, metrics, messages, kafka.pid());
                print("ingress", ingress);
                if (history) {
                    System.out.println(historyLag(camel));
                }
                Map<String, Double> after = metrics.scrape();
                double applied = StoreMeters.sum(after, "twingress_ingress_applied_total")
                        - StoreMeters.sum(before, "twingress_ingress_applied_total");
                double dead = StoreMeters.sum(after, "twingress_ingress_dead_lettered_total")
                        - StoreMeters.sum(before, "twingress_ingress_dead_lettered_total");
                System.out.printf(Locale.ROOT, "twingress_ingress_applied_total %.0f, dead-lettered %.0f, batches"
                        + " %d (mean %.0f messages), failed batch exchanges %d%s%n", applied, dead,
                        watch.batches.get(), watch.records.get() / (double) Math.max(1, watch.batches.get()),
                        watch.failed.get(), StoreMeters.groups(before, after));
                String order = checkFinalValues(app.port(), messages, twins, samples);
                System.out.println("final values: " + order);

                System.out.println();
                System.out.printf("== 3. latency reference: a plain camel-kafka batching route with the ingress route's"
                        + " consumer options (%s), %d msgs/s, %d s (+%d s not counted), own topic%n",
                        consumerOptions(camel).substring(1).replace('&', ' '), rate, latencySeconds, latencyWarmup);
                Latency rawLatency = referenceLatency(kafka, partitions, producerProps, linger, camel, twins, rate,
                        latencySeconds, latencyWarmup);
                System.out.printf(Locale.ROOT, "reference: offered %.0f msgs/s, counted %d of %d; %s%n",
                        rawLatency.offered(), rawLatency.applied(), rawLatency.sent(), latencies(rawLatency.stats()));

                System.out.println();
                System.out.printf("== 3b. latency floor: %s plain Kafka consumers (no Camel), one group, polling as the"
                        + " ingress route does, %d msgs/s, %d s (+%d s not counted), own topic%n",
                        camel.resolvePropertyPlaceholders("{{twingress.ingress.kafka.consumersCount}}"), rate,
                        latencySeconds, latencyWarmup);
                Latency bare = bareLatency(kafka, partitions, producerProps, linger, camel, twins, rate,
                        latencySeconds, latencyWarmup);
                System.out.printf(Locale.ROOT, "bare consumers: offered %.0f msgs/s, counted %d of %d; %s%n",
                        bare.offered(), bare.applied(), bare.sent(), latencies(bare.stats()));

                System.out.println();
                System.out.printf("== 4. latency at %d msgs/s offered, %d s (+%d s not counted), producer linger.ms %s%n",
                        rate, latencySeconds, latencyWarmup, linger);
                Map<String, Double> beforeLatency = metrics.scrape();
                Latency latency = latency(producerProps, linger, watch, metrics, messages, twins, rate,
                        latencySeconds, latencyWarmup, kafka.pid());
                print("latency phase", latency.phase());
                System.out.printf(Locale.ROOT, "batches %d (mean %.0f messages), failed batch exchanges %d%s%n",
                        watch.batches.get(), watch.records.get() / (double) Math.max(1, watch.batches.get()),
                        watch.failed.get(), StoreMeters.groups(beforeLatency, metrics.scrape()));
                System.out.printf(Locale.ROOT, "offered %.0f msgs/s (sent %d), applied %d of them; %s%n",
                        latency.offered(), latency.sent(), latency.applied(), latencies(latency.stats()));
                System.out.println("  " + watch.split());

                System.out.println();
                System.out.println("Summary (CPU: share of all cores over the phase's wall time; heap: used after a"
                        + " full GC at the phase's end):");
                System.out.println("| measure | figure | target | reference | figure / reference |");
                System.out.println("|---|---|---|---|---|");
                System.out.printf(Locale.ROOT, "| sustained msgs/s (%d from a backlog) | **%.0f** | >= %.0f: %s |"
                                + " %.0f (raw camel-kafka consume) | **%.3f** |%n", messages, ingress.rate(),
                        TARGET_RATE, ingress.rate() >= TARGET_RATE ? "met" : "MISSED", reference.rate(),
                        ingress.rate() / reference.rate());
                if (storeReference != null) {
                    System.out.printf(Locale.ROOT, "| sustained msgs/s against the store alone | **%.0f** | | %.0f (the"
                                    + " writer's statements as raw JDBC, one thread) | **%.2f** |%n", ingress.rate(),
                            storeReference.rate(), ingress.rate() / storeReference.rate());
                }
                System.out.printf(Locale.ROOT, "| latency p50 at %d msgs/s | %s ms | | %s ms (raw camel-kafka route) |"
                                + " %.2f |%n", rate, Stats.ms(latency.stats().percentileMs(50)),
                        Stats.ms(rawLatency.stats().percentileMs(50)),
                        latency.stats().percentileMs(50) / rawLatency.stats().percentileMs(50));
                System.out.printf(Locale.ROOT, "| latency p99 at %d msgs/s | **%s ms** | < %.0f ms: %s | %s ms (raw"
                                + " camel-kafka route) | %.2f |%n", rate,
                        Stats.ms(latency.stats().percentileMs(99)), TARGET_P99_MS,
                        latency.stats().percentileMs(99) < TARGET_P99_MS ? "met" : "MISSED",
                        Stats.ms(rawLatency.stats().percentileMs(99)),
                        latency.stats().percentileMs(99) / rawLatency.stats().percentileMs(99));
                System.out.printf(Locale.ROOT, "| process CPU, sustained | %.0f%% of %d cores | | %.0f%% | |%n",
                        ingress.cpuPercent(), cores(), reference.cpuPercent());
                System.out.printf(Locale.ROOT, "| process CPU, latency phase | %.0f%% | | | |%n",
                        latency.phase().cpuPercent());
                System.out.printf(Locale.ROOT, "| broker CPU, sustained | %.0f%% | | %.0f%% | |%n",
                        ingress.brokerCpuPercent(), reference.brokerCpuPercent());
                System.out.printf(Locale.ROOT, "| heap after GC, after sustained | %d MiB | | %d MiB | |%n",
                        ingress.heapAfterGcMiB(), reference.heapAfterGcMiB());
                System.out.printf(Locale.ROOT, "| GC time, sustained | %d ms (%d collections) | | %d ms | |%n",
                        ingress.gcMillis(), ingress.gcCount(), reference.gcMillis());
            }
        } finally {
            TempDirs.delete(dir);
        }
    }

    /**
     * Runs {@code count} messages through the application's route before anything is measured (values below the
     * backlog's, which overwrites them), so that the sustained phase measures a JIT-compiled application, as
     * PatchThroughput's {@code --jit-warmup} does; the route is stopped again, its offsets committed, before the
     * backlog is produced. A cold start is measured with {@code --jit-warmup 0}.
     */
    private static void warmUp(CamelContext camel, BatchWatch watch, Properties producerProps, int count, int twins)
            throws Exception {
        long from = System.nanoTime();
        produce(producerProps, count, twins, i -> body(-1L - i));
        watch.reset();
        camel.getRouteController().startRoute(ROUTE);
        while (watch.records.get() < count) {
            Thread.sleep(50);
            if (System.nanoTime() - from > Math.max(600, count / 500) * 1_000_000_000L) {
                throw new IllegalStateException("JIT warm-up: only " + watch.records.get() + " of " + count
                        + " applied");
            }
        }
        camel.getRouteController().stopRoute(ROUTE);
        System.out.printf(Locale.ROOT, "JIT warm-up: %d messages produced and applied through %s in %.1f s, not"
                + " measured (--jit-warmup 0 measures a cold start)%n", count, ROUTE, (System.nanoTime() - from) / 1e9);
    }

    /** {@code count} records into the topic, the i-th keyed by twin {@code i mod twins}; returns once all are sent. */
    private static void produce(Properties producerProps, int count, int twins,
            java.util.function.LongFunction<String> body) {
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
            for (int i = 0; i < count; i++) {
                producer.send(new ProducerRecord<>(TOPIC, PatchThroughput.twinId(i % twins), body.apply(i)));
            }
            producer.flush();
        }
    }

    static String body(long i) {
        return "{\"Temperature\":" + i + ".5}";
    }

    /** A phase's figures: messages over the seconds, this JVM's and the broker's CPU, GC, and the heap after it. */
    record Phase(long messages, double seconds, double firstAfter, double cpuPercent, double brokerCpuPercent,
            long gcMillis, long gcCount, long heapAfterGcMiB, String load, String cpuPerMessage) {
        double rate() {
            return messages / seconds;
        }
    }

    record Latency(Phase phase, double offered, long sent, long applied, Stats stats) {
    }

    /** Resource counters at a phase's start; {@link #end} turns them into a {@link Phase}. */
    private static final class Meter {
        final long wall = System.nanoTime();
        final long cpu = processCpu();
        final long broker;
        final long gcMillis = gcMillis();
        final long gcCount = gcCount();
        final String load = Machine.load();
        final ThreadCpu threads = new ThreadCpu();

        Meter(long brokerPid) {
            broker = brokerCpu(brokerPid);
        }

        Phase end(long messages, long endNanos, double firstAfter, long brokerPid) {
            double seconds = (endNanos - wall) / 1e9;
            long cpuNanos = processCpu() - this.cpu;
            String perMessage = threads.perMessage(messages, cpuNanos);
            double cpu = cpuNanos / 1e9 / seconds / cores() * 100;
            double brokerCpu = (brokerCpu(brokerPid) - broker) / 1e9 / seconds / cores() * 100;
            long gcTime = gcMillis() - gcMillis;
            long gcs = gcCount() - gcCount;
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / (1024 * 1024);
            return new Phase(messages, seconds, firstAfter, cpu, brokerCpu, gcTime, gcs, heap, load, perMessage);
        }
    }

    private static Phase reference(String bootstrap, String maxPoll, String consumers, int messages, long brokerPid)
            throws Exception {
        AtomicLong count = new AtomicLong();
        AtomicLong first = new AtomicLong();
        AtomicLong last = new AtomicLong();
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kafka:" + TOPIC + "?brokers=" + bootstrap + "&groupId=reference-" + UUID.randomUUID()
                            + "&batching=true&maxPollRecords=" + maxPoll + "&consumersCount=" + consumers
                            + "&pollTimeoutMs=100"
                            + "&autoCommitEnable=false&breakOnFirstError=true&autoOffsetReset=earliest"
                            + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer")
                            .routeId("bench-reference-count")
                            .process(e -> {
                                int n = e.getMessage().getBody(List.class).size();
                                first.compareAndSet(0, System.nanoTime());
                                if (count.addAndGet(n) >= messages) {
                                    last.compareAndSet(0, System.nanoTime());
                                }
                            });
                }
            });
            Meter meter = new Meter(brokerPid);
            context.start();
            awaitCount(count::get, messages, "the reference route");
            return meter.end(count.get(), last.get(), (first.get() - meter.wall) / 1e9, brokerPid);
        }
    }

    private static Phase sustained(CamelContext camel, BatchWatch watch, StoreMeters metrics, int messages,
            long brokerPid) throws Exception {
        watch.reset();
        Meter meter = new Meter(brokerPid);
        camel.getRouteController().startRoute(ROUTE);
        long lastPrint = System.nanoTime();
        long lastCount = 0;
        while (watch.records.get() < messages) {
            Thread.sleep(50);
            if (System.nanoTime() - lastPrint >= 10_000_000_000L) {
                long now = System.nanoTime();
                long c = watch.records.get();
                System.out.printf(Locale.ROOT, "  %.0f s: %d applied, %.0f msgs/s over the last %.0f s, load %s%n",
                        (now - meter.wall) / 1e9, c, (c - lastCount) / ((now - lastPrint) / 1e9),
                        (now - lastPrint) / 1e9, Machine.load());
                lastPrint = now;
                lastCount = c;
            }
            if (System.nanoTime() - meter.wall > Math.max(600, messages / 500) * 1_000_000_000L) {
                throw new IllegalStateException("only " + watch.records.get() + " of " + messages + " applied");
            }
        }
        Phase phase = meter.end(watch.records.get(), watch.lastCompleted, (watch.firstCompleted - meter.wall) / 1e9,
                brokerPid);
        double counted = StoreMeters.sum(metrics.scrape(), "twingress_ingress_applied_total");
        if (counted < messages) {
            System.out.printf("WARNING: twingress_ingress_applied_total is %.0f, below %d%n", counted, messages);
        }
        return phase;
    }

    private static Latency latency(Properties producerProps, String linger, BatchWatch watch, StoreMeters metrics,
            int offset, int twins, int rate, int seconds, int warmup, long brokerPid) throws Exception {
        watch.reset();
        Meter meter = new Meter(brokerPid);
        Paced paced = new Paced(rate, seconds, warmup);
        watch.latencyFrom = paced.countFrom;
        paced.produce(producerProps, linger, TOPIC, offset, twins);
        paced.awaitReceived(watch.records::get);
        Phase phase = meter.end(watch.records.get(), System.nanoTime(), (watch.firstCompleted - meter.wall) / 1e9,
                brokerPid);
        return new Latency(phase, paced.offered, paced.sent, watch.records.get(), watch.latencies());
    }

    /**
     * The latency phase's same-run reference: the same paced producer into a topic of its own, read by a plain
     * camel-kafka batching route in its own context with the ingress route's consumer options, including its
     * {@code pollTimeoutMs}, and a batching interval of 10 ms; latency = the batch exchange's end minus the record's
     * scheduled send time. What Kafka, the producer's linger, camel-kafka's batching and this machine cost before
     * Twingress does anything.
     */
    private static Latency referenceLatency(BenchKafka kafka, int partitions, Properties producerProps, String linger,
            CamelContext app, int twins, int rate, int seconds, int warmup) throws Exception {
        String topic = TOPIC + "-latency-reference";
        kafka.createTopic(topic, partitions);
        Paced paced = new Paced(rate, seconds, warmup);
        FirstDeliveries deliveries = new FirstDeliveries(paced.countFrom);
        try (CamelContext context = new DefaultCamelContext()) {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("kafka:" + topic + "?brokers=" + kafka.bootstrapServers() + "&groupId=reference-latency"
                            + "&batching=true&autoCommitEnable=false&breakOnFirstError=true&autoOffsetReset=earliest"
                            + "&valueDeserializer=org.apache.kafka.common.serialization.ByteArrayDeserializer"
                            + consumerOptions(app))
                            .routeId("bench-reference-latency")
                            .process(e -> {
                                long now = System.nanoTime();
                                for (Object item : e.getMessage().getBody(List.class)) {
                                    var record = ((Exchange) item).getMessage();
                                    deliveries.add(record.getHeader("kafka.PARTITION", Integer.class),
                                            record.getHeader("kafka.OFFSET", Long.class), record.getHeader(SENT), now);
                                }
                            });
                }
            });
            context.start();
            paced.produce(producerProps, linger, topic, 0, twins);
            paced.awaitReceived(deliveries::count);
        }
        return deliveries.latency(paced);
    }

    /**
     * The floor under both latency phases: the same paced producer into a topic of its own, read by
     * {@code consumers} plain Kafka consumers in one group (no Camel), each polling with the ingress route's
     * {@code pollTimeoutMs} and {@code maxPollRecords}; latency = the return of the poll that holds the record minus
     * its stamp. What Kafka, the producer's linger and this machine cost before any batching of camel-kafka's.
     */
    private static Latency bareLatency(BenchKafka kafka, int partitions, Properties producerProps, String linger,
            CamelContext app, int twins, int rate, int seconds, int warmup) throws Exception {
        String topic = TOPIC + "-latency-bare";
        kafka.createTopic(topic, partitions);
        Paced paced = new Paced(rate, seconds, warmup);
        FirstDeliveries deliveries = new FirstDeliveries(paced.countFrom);
        int consumers = Integer.parseInt(app.resolvePropertyPlaceholders("{{twingress.ingress.kafka.consumersCount}}"));
        Duration poll = Duration.ofMillis(Long.parseLong(
                app.resolvePropertyPlaceholders("{{twingress.ingress.kafka.pollTimeoutMs}}")));
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reference-latency-bare");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                app.resolvePropertyPlaceholders("{{twingress.ingress.kafka.maxPollRecords}}"));
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService pool = Executors.newFixedThreadPool(consumers);
        try {
            for (int c = 0; c < consumers; c++) {
                pool.submit(() -> {
                    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
                        consumer.subscribe(List.of(topic));
                        while (running.get()) {
                            ConsumerRecords<byte[], byte[]> records = consumer.poll(poll);
                            long now = System.nanoTime();
                            for (ConsumerRecord<byte[], byte[]> record : records) {
                                deliveries.add(record.partition(), record.offset(),
                                        record.headers().lastHeader(SENT).value(), now);
                            }
                        }
                    }
                    return null;
                });
            }
            paced.produce(producerProps, linger, topic, 0, twins);
            paced.awaitReceived(deliveries::count);
        } finally {
            running.set(false);
            pool.shutdown();
            pool.awaitTermination(30, TimeUnit.SECONDS);
        }
        return deliveries.latency(paced);
    }

    /**
     * What a latency reference read: each record counted at its first delivery only (the references commit no
     * offsets, so after the group's first rebalance, the broker's initial delay being 3 s, a partition that moved is
     * read again from its start), and its latency kept when it was scheduled from {@code countFrom} on.
     */
    private static final class FirstDeliveries {
        private final Stats stats = new Stats();
        private final Set<String> seen = new HashSet<>();
        private final long countFrom;
        private long count;

        FirstDeliveries(long countFrom) {
            this.countFrom = countFrom;
        }

        synchronized void add(int partition, long offset, Object stamp, long now) {
            if (!seen.add(partition + "-" + offset)) {
                return;
            }
            long sent = sentNanos(stamp);
            if (sent >= countFrom) {
                stats.add(now - sent);
            }
            count++;
        }

        synchronized long count() {
            return count;
        }

        synchronized Latency latency(Paced paced) {
            return new Latency(null, paced.offered, paced.sent, count, stats);
        }
    }

    /**
     * The ingress route's consumer options, as the application resolves them, for a camel-kafka batching route; with
     * camel-kafka's batching interval as the ingress route had it (10 ms) until it had a consumer of its own.
     */
    static String consumerOptions(CamelContext app) {
        return "&maxPollRecords=" + app.resolvePropertyPlaceholders("{{twingress.ingress.kafka.maxPollRecords}}")
                + "&consumersCount=" + app.resolvePropertyPlaceholders("{{twingress.ingress.kafka.consumersCount}}")
                + "&batchingIntervalMs=10"
                + "&pollTimeoutMs=" + app.resolvePropertyPlaceholders("{{twingress.ingress.kafka.pollTimeoutMs}}");
    }

    /** A latency phase's figures, as both latency phases print them. */
    private static String latencies(Stats stats) {
        return String.format(Locale.ROOT, "latency p50 %s ms, p90 %s ms, p99 %s ms, max %s ms over %d messages",
                Stats.ms(stats.percentileMs(50)), Stats.ms(stats.percentileMs(90)), Stats.ms(stats.percentileMs(99)),
                Stats.ms(stats.maxMs()), stats.count());
    }

    static long sentNanos(Object stamp) {
        if (stamp == null) {
            return Long.MIN_VALUE;
        }
        return Long.parseLong(stamp instanceof byte[] b ? new String(b, StandardCharsets.US_ASCII) : stamp.toString());
    }

    /**
     * An open-loop producer at {@code rate} msgs/s: each record carries its scheduled send time, so a producer that
     * falls behind cannot hide the delay; records scheduled from {@link #countFrom} on are counted.
     */
    private static final class Paced {
        final int rate;
        final long start = System.nanoTime() + 200_000_000L;
        final long countFrom;
        final long total;
        long sent;
        double offered;

        Paced(int rate, int seconds, int warmup) {
            this.rate = rate;
            this.countFrom = start + warmup * 1_000_000_000L;
            this.total = (long) rate * (seconds + warmup);
        }

        void produce(Properties producerProps, String linger, String topic, int offset, int twins) {
            Properties props = new Properties();
            props.putAll(producerProps);
            props.put(ProducerConfig.LINGER_MS_CONFIG, linger);
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
                for (; sent < total; sent++) {
                    long scheduled = start + sent * 1_000_000_000L / rate;
                    long wait;
                    while ((wait = scheduled - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    long i = offset + sent;
                    ProducerRecord<String, String> record = new ProducerRecord<>(topic,
                            PatchThroughput.twinId((int) (i % twins)), body(i));
                    record.headers().add(SENT, Long.toString(scheduled).getBytes(StandardCharsets.US_ASCII));
                    producer.send(record);
                }
                producer.flush();
            }
            offered = sent / ((System.nanoTime() - start) / 1e9);
        }

        /** Waits until {@code received} counts every record sent, or two minutes. */
        void awaitReceived(LongSupplier received) throws InterruptedException {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (received.getAsLong() < sent && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        }
    }

    /**
     * Counts the records of every completed {@code ingress-kafka} batch exchange and, for those stamped with a send
     * time, the time from the stamp to the batch's completion (after its durable commit).
     */
    static final class BatchWatch extends EventNotifierSupport {
        final AtomicLong records = new AtomicLong();
        final AtomicLong batches = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        volatile long firstCompleted;
        volatile long lastCompleted;
        volatile long latencyFrom = Long.MAX_VALUE;
        private Stats stats = new Stats();
        private Stats handedOver = new Stats();
        private Stats inRoute = new Stats();

        synchronized void reset() {
            records.set(0);
            batches.set(0);
            failed.set(0);
            firstCompleted = 0;
            lastCompleted = 0;
            latencyFrom = Long.MAX_VALUE;
            stats = new Stats();
            handedOver = new Stats();
            inRoute = new Stats();
        }

        /**
         * The latencies split at the batch exchange's creation (camel-kafka hands the batch to the route): stamp to
         * hand-over (producer linger, broker, poll, camel-kafka's batching), and hand-over to completion (Twingress).
         */
        synchronized String split() {
            return String.format(Locale.ROOT, "stamp to batch hand-over p50 %s, p90 %s, p99 %s ms; hand-over to"
                            + " completion (the route: parse, apply, commit) p50 %s, p90 %s, p99 %s ms",
                    Stats.ms(handedOver.percentileMs(50)), Stats.ms(handedOver.percentileMs(90)),
                    Stats.ms(handedOver.percentileMs(99)), Stats.ms(inRoute.percentileMs(50)),
                    Stats.ms(inRoute.percentileMs(90)), Stats.ms(inRoute.percentileMs(99)));
        }

        synchronized Stats latencies() {
            return stats;
        }

        @Override
        public void notify(CamelEvent event) {
            if (!(event instanceof CamelEvent.ExchangeEvent e) || !ROUTE.equals(e.getExchange().getFromRouteId())) {
                return;
            }
            long now = System.nanoTime();
            if (event instanceof CamelEvent.ExchangeFailedEvent) {
                failed.incrementAndGet();
                return;
            }
            if (!(event instanceof CamelEvent.ExchangeCompletedEvent) || e.getExchange().isFailed()) {
                return;
            }
            if (latencyFrom != Long.MAX_VALUE) {
                // only in a latency phase: this runs on the consumer's thread, and counts in its CPU figure
                addLatencies(e.getExchange(), now);
            }
            if (firstCompleted == 0) {
                firstCompleted = now;
            }
            lastCompleted = now;
            batches.incrementAndGet();
            // what the pipeline applied or dead-lettered, not the batch's size: a batch delivered again after a
            // consumer group rebalance holds duplicates, which would otherwise end the phase before its last message
            records.addAndGet(e.getExchange().getProperty(IngressPipeline.APPLIED, 0, Integer.class)
                    + e.getExchange().getProperty(IngressPipeline.DEAD_LETTERED, 0, Integer.class));
        }

        /** Each stamped record's latency, split at the batch exchange's creation. */
        private synchronized void addLatencies(Exchange batch, long now) {
            Object body = batch.getMessage().getBody();
            long created = now - batch.getClock().elapsed() * 1_000_000L;
            for (Object item : body instanceof List<?> l ? l : List.of(batch)) {
                if (item instanceof Exchange record) {
                    long sent = sentNanos(record.getMessage().getHeader(SENT));
                    if (sent != Long.MIN_VALUE && sent >= latencyFrom) {
                        stats.add(now - sent);
                        handedOver.add(created - sent);
                        inRoute.add(now - created);
                    }
                }
            }
        }
    }

    /**
     * How long after the sustained phase the default history connection took to historize every change, read from
     * its cursor (in the twin store, moved after each historized batch) against the outbox's head.
     */
    private static String historyLag(CamelContext camel) throws InterruptedException {
        TwinStore store = camel.getRegistry().lookupByNameAndType("twinStore", TwinStore.class);
        long from = System.nanoTime();
        OutboxPosition head = store.read(StoreTx::outboxHead);
        OutboxPosition at = null;
        while (System.nanoTime() - from < 300_000_000_000L) {
            OutboxCursor cursor = store.read(tx -> tx.cursor("history:default"));
            at = cursor == null ? null : cursor.position();
            if (at != null && at.compareTo(head) >= 0) {
                return String.format(Locale.ROOT, "history: every change historized %.1f s after the last message"
                        + " was applied", (System.nanoTime() - from) / 1e9);
            }
            Thread.sleep(50);
        }
        return "history: still behind after 300 s (at " + at + ", head " + head + ")";
    }

    private static void createTwins(int port, int twins) throws Exception {
        PatchThroughput.setUp(port, 0);
        int clients = 8;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    try (RawHttp http = new RawHttp("127.0.0.1", port)) {
                        for (int i = client; i < twins; i += clients) {
                            String twin = "{\"$metadata\":{\"$model\":\"" + PatchThroughput.MODEL + "\"},"
                                    + "\"Temperature\":20.0,\"Label\":\"t" + i + "\"}";
                            RawHttp.Reply reply = http.send("PUT", "/digitaltwins/" + PatchThroughput.twinId(i) + API,
                                    "application/json", twin);
                            if (reply.status() != 200) {
                                throw new IllegalStateException("PUT twin " + i + ": " + reply.status() + " "
                                        + reply.body());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }

    /** Each sampled twin must hold its last message's value: per-twin order kept, nothing lost. */
    private static String checkFinalValues(int port, int messages, int twins, int samples) throws Exception {
        int wrong = 0;
        int checked = 0;
        StringBuilder firstWrong = new StringBuilder();
        try (RawHttp http = new RawHttp("127.0.0.1", port)) {
            for (int s = 0; s < samples && s < twins; s++) {
                int t = (int) ((long) s * twins / Math.min(samples, twins));
                int last = messages - 1 - Math.floorMod(messages - 1 - t, twins);
                if (last < 0) {
                    continue;
                }
                RawHttp.Reply reply = http.send("GET", "/digitaltwins/" + PatchThroughput.twinId(t) + API, null, null);
                JsonNode twin = Json.parse(reply.body());
                checked++;
                if (twin.path("Temperature").asDouble() != last + 0.5) {
                    wrong++;
                    if (firstWrong.length() == 0) {
                        firstWrong.append("; first: twin ").append(t).append(" holds ").append(twin.path("Temperature"))
                                .append(", expected ").append(last).append(".5");
                    }
                }
            }
        }
        return checked + " twins checked, " + wrong + " not at their last message's value" + firstWrong;
    }

    @FunctionalInterface
    private interface Count {
        long get();
    }

    private static void awaitCount(Count count, long target, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(300, target / 1000) * 1_000_000_000L;
        while (count.get() < target) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + " got " + count.get() + " of " + target);
            }
            Thread.sleep(20);
        }
    }

    private static void print(String what, Phase p) {
        System.out.printf(Locale.ROOT, "%s: %d messages in %.2f s (first batch done %.2f s after the start): %.0f"
                        + " msgs/s; process CPU %.0f%% of %d cores, broker CPU %.0f%%; GC %d ms in %d collections;"
                        + " heap after GC %d MiB; load before %s, after %s%n", what, p.messages(), p.seconds(),
                p.firstAfter(), p.rate(), p.cpuPercent(), cores(), p.brokerCpuPercent(), p.gcMillis(), p.gcCount(),
                p.heapAfterGcMiB(), p.load(), Machine.load());
        System.out.println("  process CPU, " + p.cpuPerMessage());
    }

    static int cores() {
        return Runtime.getRuntime().availableProcessors();
    }

    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static long brokerCpu(long pid) {
        return ProcessHandle.of(pid).flatMap(h -> h.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L);
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).sum();
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).sum();
    }

    /** The application's Prometheus page: the sum of a counter's series. */
}
