package io.twingress.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Event egress under write load: eight closed-loop clients patch twins (as {@link PatchThroughput} does, in-process
 * server on the embedded SQLite store, synchronous=FULL) while event routes send every twin update to two Kafka
 * endpoints (a broker in a child JVM) and one Webhook endpoint (a JDK HTTP server in this JVM).
 *
 * <ol>
 * <li><b>Write path</b>: PATCH/s with no route (phase 1), with the two Kafka routes (2) and with all three (3); each
 * beside the same clients' {@code GET} of an unknown path (HTTP 404, no store work), the same-run reference. The
 * outbox row is written in every phase, routes or not: what differs is the relays reading it, sending and moving
 * their cursors.</li>
 * <li><b>Delivery</b>, in phase 3's window: events/s each receiver got (records read from each topic, POSTs at the
 * webhook), cross-checked with {@code twingress_egress_delivered_total}; the delay from the event's CloudEvent
 * {@code time} (set in the write unit, just before the commit) to its arrival, p50 and p99, per endpoint.</li>
 * <li><b>Outage</b> (4): once the webhook has caught up, it stops listening for {@code --outage} seconds while the
 * clients keep patching, and {@code kafka-b}'s delivery route is stopped as long (the broker stays up: this only
 * builds a Kafka backlog to drain). Then the clients stop, each comes back in turn, and the program prints the
 * backlog it built ({@code twingress_egress_backlog}) and its drain: events/s from the first event after its return
 * until the backlog is zero. The webhook keeps the default retry policy, so the wait for the first retry that
 * reaches it (up to five minutes after a long outage) is printed apart from the drain.</li>
 * <li>Then every route and endpoint is deleted and the no-route window runs again (5): the first ran on the coldest
 * JIT and an empty outbox, so the two bracket the drift of the run.</li>
 * </ol>
 *
 * <p>Arguments: {@code --webhook-mode binary} (or {@code structured}, {@code batch}) {@code --app k=v,...}
 * {@code --warmup 5} {@code --duration 20} (seconds, for each PATCH and 404 window) {@code --outage 60}
 * (seconds; the figure is 600) {@code --twins 64}.
 */
public final class EgressThroughput {

    private static final String API = "?api-version=2023-10-31";
    private static final int CLIENTS = 8;
    private static final String UPDATES = "type = 'Microsoft.DigitalTwins.Twin.Update'";
    private static final String KAFKA_A = "kafka-a";
    private static final String KAFKA_B = "kafka-b";
    private static final String WEBHOOK = "webhook";
    private static final List<String> ENDPOINTS = List.of(KAFKA_A, KAFKA_B, WEBHOOK);

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(Args.value(args, "--warmup", "5"));
        int duration = Integer.parseInt(Args.value(args, "--duration", "20"));
        int outage = Integer.parseInt(Args.value(args, "--outage", "60"));
        int twins = Integer.parseInt(Args.value(args, "--twins", "64"));
        Machine.describe("EgressThroughput");
        System.out.printf("warm-up %d s, measured %d s per window, outage %d s, %d twins, %d closed-loop clients over"
                + " raw HTTP/1.1 keep-alive (own twins), in-process server on SQLite; routes %s to %s%n", warmup,
                duration, outage, twins, CLIENTS, UPDATES, ENDPOINTS);
        Path dir = Files.createTempDirectory("twingress-egress");
        System.out.println("store sqlite, " + FsyncProbe.describe(dir, 1000) + "; webhook contentMode "
                + Args.value(args, "--webhook-mode", "binary"));
        Map<String, DeliveryTally> tallies = new LinkedHashMap<>();
        ENDPOINTS.forEach(e -> tallies.put(e, new DeliveryTally()));
        long brokerFrom = System.nanoTime();
        try (BenchKafka kafka = BenchKafka.start(dir.resolve("kafka"));
                WebhookReceiver hook = new WebhookReceiver(tallies.get(WEBHOOK));
                InProcessTwingress app = InProcessTwingress.start("sqlite", dir, Args.appProperties(args))) {
            System.out.printf(Locale.ROOT, "Kafka 4.0.1 broker (child JVM, pid %d, %s) on %s; broker and"
                    + " application up in %.1f s%n", kafka.pid(), BenchKafka.JVM_OPTIONS, kafka.bootstrapServers(),
                    (System.nanoTime() - brokerFrom) / 1e9);
            hook.start();
            PatchThroughput.setUp(app.port(), twins);
            Metrics metrics = new Metrics(app.managementPort());

            System.out.println();
            System.out.println("== 1. write path without endpoints or routes");
            ClosedLoop.Window bare404 = notFound(app.port(), warmup, duration);
            print("404 reference", bare404);
            ClosedLoop.Window bare = patch(app.port(), twins, warmup, duration);
            print("PATCH, no routes", bare);

            for (String endpoint : List.of(KAFKA_A, KAFKA_B)) {
                String topic = "twin-events-" + endpoint;
                kafka.createTopic(topic, 3);
                kafka.read(topic, tallies.get(endpoint));
                putEndpoint(app.port(), endpoint, "{\"endpointType\":\"Kafka\",\"bootstrapServers\":\""
                        + kafka.bootstrapServers() + "\",\"topic\":\"" + topic + "\"}");
                putRoute(app.port(), "updates-to-" + endpoint, endpoint);
            }
            awaitFlowing(app.port(), List.of(tallies.get(KAFKA_A), tallies.get(KAFKA_B)));
            System.out.println();
            System.out.println("== 2. write path with the two Kafka routes");
            ClosedLoop.Window kafkaOnly = patch(app.port(), twins, warmup, duration);
            print("PATCH, 2 Kafka routes", kafkaOnly);
            ClosedLoop.Window kafka404 = notFound(app.port(), warmup, duration);
            print("404 reference", kafka404);

            putEndpoint(app.port(), WEBHOOK, "{\"endpointType\":\"Webhook\",\"url\":\"" + hook.url("/events")
                    + "\",\"contentMode\":\"" + Args.value(args, "--webhook-mode", "binary") + "\"}");
            putRoute(app.port(), "updates-to-" + WEBHOOK, WEBHOOK);
            awaitFlowing(app.port(), tallies.values());
            System.out.println();
            System.out.println("== 3. write path and delivery with the three routes");
            long loopStart = System.nanoTime();
            CompletableFuture<ClosedLoop.Window> routed = CompletableFuture.supplyAsync(
                    () -> unchecked(() -> patch(app.port(), twins, warmup, duration)));
            sleepUntil(loopStart + warmup * 1_000_000_000L);
            tallies.values().forEach(DeliveryTally::take);
            Map<String, Double> scrapeFrom = metrics.scrape();
            long windowFrom = System.nanoTime();
            sleepUntil(windowFrom + duration * 1_000_000_000L);
            Map<String, DeliveryTally.Taken> window = new LinkedHashMap<>();
            tallies.forEach((e, t) -> window.put(e, t.take()));
            double windowSeconds = (System.nanoTime() - windowFrom) / 1e9;
            Map<String, Double> scrapeTo = metrics.scrape();
            ClosedLoop.Window withRoutes = routed.get();
            print("PATCH, 3 routes", withRoutes);
            ClosedLoop.Window routes404 = notFound(app.port(), warmup, duration);
            print("404 reference", routes404);
            List<String> deliveryRows = new ArrayList<>();
            for (String endpoint : ENDPOINTS) {
                DeliveryTally.Taken taken = window.get(endpoint);
                double counted = Metrics.value(scrapeTo, "twingress_egress_delivered_total", endpoint)
                        - Metrics.value(scrapeFrom, "twingress_egress_delivered_total", endpoint);
                deliveryRows.add(String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %s | %s | %s | %s | %.0f |",
                        endpoint, taken.events() / windowSeconds, counted / windowSeconds,
                        taken.events() / windowSeconds / withRoutes.perSecond(),
                        Stats.ms(taken.delays().percentileMs(50)), Stats.ms(taken.delays().percentileMs(99)),
                        seconds(Metrics.value(scrapeTo, "twingress_egress_delivery_delay_seconds", endpoint,
                                "0.5")), seconds(Metrics.value(scrapeTo, "twingress_egress_delivery_delay_seconds",
                                endpoint, "0.99")), Metrics.value(scrapeTo, "twingress_egress_backlog", endpoint)));
                System.out.printf(Locale.ROOT, "%s: received %d in %.1f s, %d without a readable time%n", endpoint,
                        taken.events(), windowSeconds, taken.untimed());
            }

            System.out.println();
            System.out.printf("== 4. webhook outage of %d s under the same clients; %s's delivery route stopped as"
                    + " long (a relay pause: its backlog measures the Kafka relay's drain)%n", outage, KAFKA_B);
            double before = awaitBacklogBelow(metrics, WEBHOOK, 1, 300);
            String pausedRoute = "egress-endpoint-" + KAFKA_B;
            var routes = app.main().getCamelContext().getRouteController();
            routes.stopRoute(pausedRoute);
            tallies.values().forEach(DeliveryTally::take);
            hook.stop();
            Map<String, Double> atStop = metrics.scrape();
            long outageFrom = System.nanoTime();
            ClosedLoop.Window during = patch(app.port(), twins, 0, outage);
            double outageSeconds = (System.nanoTime() - outageFrom) / 1e9;
            Map<String, DeliveryTally.Taken> outageTaken = new LinkedHashMap<>();
            tallies.forEach((e, t) -> outageTaken.put(e, t.take()));
            Map<String, Double> atReturn = metrics.scrape();
            print("PATCH during the outage", during);
            for (String endpoint : ENDPOINTS) {
                System.out.printf(Locale.ROOT, "%s during the outage: %.0f events/s received; backlog %.0f at its"
                        + " start, %.0f at its end%n", endpoint, outageTaken.get(endpoint).events() / outageSeconds,
                        Metrics.value(atStop, "twingress_egress_backlog", endpoint),
                        Metrics.value(atReturn, "twingress_egress_backlog", endpoint));
            }
            System.out.printf(Locale.ROOT, "webhook backlog before the outage, after waiting for it to drain: %.0f;"
                    + " clients stopped at the outage's end%n", before);
            List<String> drainRows = new ArrayList<>();
            for (String endpoint : List.of(KAFKA_B, WEBHOOK)) {
                Drain drain = drain(endpoint, endpoint.equals(WEBHOOK) ? hook::start
                        : () -> routes.startRoute(pausedRoute), metrics, tallies.get(endpoint));
                double built = Metrics.value(atReturn, "twingress_egress_backlog", endpoint)
                        - Metrics.value(atStop, "twingress_egress_backlog", endpoint);
                System.out.printf(Locale.ROOT, "%s back: first event %.2f s after %s; then %d events in %.2f s"
                        + " until the backlog was 0: %.0f events/s; delay p50 %s ms, p99 %s ms (commit to arrival,"
                        + " most of it the outage); process CPU %.0f%%, load after %s%n", endpoint,
                        drain.firstAfter(), endpoint.equals(WEBHOOK) ? "it listened again (retry backoff)"
                                : "its route started", drain.events(), drain.seconds(),
                        drain.events() / drain.seconds(), Stats.ms(drain.delays().percentileMs(50)),
                        Stats.ms(drain.delays().percentileMs(99)), drain.cpuPercent(), Machine.load());
                drainRows.add(String.format(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.2f | %d | %.2f | **%.0f** |"
                        + " %.0f%% |", endpoint, endpoint.equals(WEBHOOK) ? "receiver stopped" : "route stopped",
                        outageSeconds, built, drain.firstAfter(), drain.events(), drain.seconds(),
                        drain.events() / drain.seconds(), drain.cpuPercent()));
            }

            // the first window ran on the coldest JIT and an empty outbox: the same again at the end brackets the drift
            for (String endpoint : ENDPOINTS) {
                delete(app.port(), "/eventroutes/updates-to-" + endpoint);
                delete(app.port(), "/endpoints/" + endpoint);
            }
            System.out.println();
            System.out.println("== 5. write path without endpoints or routes again (all deleted)");
            ClosedLoop.Window bareAgain = patch(app.port(), twins, warmup, duration);
            print("PATCH, no routes", bareAgain);
            ClosedLoop.Window bareAgain404 = notFound(app.port(), warmup, duration);
            print("404 reference", bareAgain404);

            System.out.println();
            System.out.println("Write path: PATCH = 8 clients on their own twins; 404 = the same clients' GET of an"
                    + " unknown path in the same phase, the same-run reference. Ratios: PATCH/s over 404/s.");
            System.out.println("| routes | PATCH/s | p50 ms | p99 ms | errors | process CPU | 404/s | PATCH/404 |"
                    + " PATCH/s over no routes | load before |");
            System.out.println("|---|---|---|---|---|---|---|---|---|---|");
            System.out.println(writeRow("none", bare, bare404, bare));
            System.out.println(writeRow("2 Kafka", kafkaOnly, kafka404, bare));
            System.out.println(writeRow("3 (2 Kafka, 1 Webhook)", withRoutes, routes404, bare));
            System.out.println(writeRow("none, again at the end", bareAgain, bareAgain404, bare));
            System.out.printf(Locale.ROOT, "The issue allows the outbox to cost at most 15%% (PATCH/s over no routes"
                    + " >= 0.85). During the outage (%d s, no warm-up; %s delivering alone): %.0f PATCH/s, %.2f of"
                    + " no routes%n", outage, KAFKA_A, during.perSecond(), during.perSecond() / bare.perSecond());
            System.out.println();
            System.out.println("Delivery in phase 3: received = counted at the receiver (records read from the"
                    + " topic, POSTs answered); metrics = twingress_egress_delivered_total over the same window;"
                    + " delay = arrival minus the CloudEvent time (receiver) and the application's own summary"
                    + " at the window's end (commit to acknowledgement, Micrometer's decaying window); backlog at the"
                    + " window's end.");
            System.out.println("| endpoint | received/s | metrics/s | received/PATCH | delay p50 ms | delay p99 ms |"
                    + " metrics p50 ms | metrics p99 ms | backlog |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            deliveryRows.forEach(System.out::println);
            System.out.println();
            System.out.println("Outage and drain (clients stopped at the outage's end; drain = from the first event"
                    + " after the return until twingress_egress_backlog is 0):");
            System.out.println("| endpoint | outage | outage s | backlog built | first event after return s | drained"
                    + " events | drain s | drain events/s | drain process CPU |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            drainRows.forEach(System.out::println);
        } finally {
            TempDirs.delete(dir);
        }
    }

    /** An endpoint's catch-up: when its first event came after its return, then events and time to a zero backlog. */
    private record Drain(double firstAfter, long events, double seconds, Stats delays, double cpuPercent) {
    }

    @FunctionalInterface
    private interface Restart {
        void run() throws Exception;
    }

    private static Drain drain(String endpoint, Restart restart, Metrics metrics, DeliveryTally tally)
            throws Exception {
        long before = tally.total();
        restart.run();
        long back = System.nanoTime();
        while (tally.total() == before) {
            Thread.sleep(5);
            if (System.nanoTime() - back > 600_000_000_000L) {
                throw new IllegalStateException(endpoint + " got nothing within 10 minutes of its return");
            }
        }
        long first = System.nanoTime();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuFrom = os.getProcessCpuTime();
        // nothing arrived since the last take but after the return: the opening take holds the first events
        DeliveryTally.Taken opening = tally.take();
        while (Metrics.value(metrics.scrape(), "twingress_egress_backlog", endpoint) > 0) {
            Thread.sleep(100);
        }
        long end = System.nanoTime();
        long cpu = os.getProcessCpuTime() - cpuFrom;
        DeliveryTally.Taken taken = tally.take();
        taken.delays().addAll(opening.delays());
        return new Drain((first - back) / 1e9, opening.events() + taken.events(), (end - first) / 1e9,
                taken.delays(), cpu / (double) (end - first) / Runtime.getRuntime().availableProcessors() * 100);
    }

    private static double awaitBacklogBelow(Metrics metrics, String endpoint, double below, int seconds)
            throws Exception {
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        double backlog = Metrics.value(metrics.scrape(), "twingress_egress_backlog", endpoint);
        while (backlog >= below && System.nanoTime() < deadline) {
            Thread.sleep(200);
            backlog = Metrics.value(metrics.scrape(), "twingress_egress_backlog", endpoint);
        }
        return backlog;
    }

    /** Patches one twin until every receiver has had an event: all endpoint routes are up and their cursors set. */
    private static void awaitFlowing(int port, java.util.Collection<DeliveryTally> tallies) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (RawHttp http = new RawHttp("127.0.0.1", port)) {
            while (tallies.stream().anyMatch(t -> t.total() == 0)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not every endpoint delivered within 60 s");
                }
                http.send("PATCH", "/digitaltwins/" + PatchThroughput.twinId(0) + API, "application/json-patch+json",
                        "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":1}]");
                Thread.sleep(200);
            }
        }
    }

    private static ClosedLoop.Window patch(int port, int twins, int warmup, int duration) throws Exception {
        return ClosedLoop.run(CLIENTS, warmup, duration, i -> {
            List<String> mine = new ArrayList<>();
            for (int t = i; t < twins; t += CLIENTS) {
                mine.add(PatchThroughput.twinId(t));
            }
            RawHttp http = new RawHttp("127.0.0.1", port);
            return client(http, n -> {
                RawHttp.Reply reply = http.send("PATCH", "/digitaltwins/" + mine.get((int) (n % mine.size())) + API,
                        "application/json-patch+json", "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":"
                                + (15 + (n % 150) / 10.0) + "}]");
                return reply.status() == 204 ? null : reply.status() + " " + reply.body();
            });
        });
    }

    private static ClosedLoop.Window notFound(int port, int warmup, int duration) throws Exception {
        return ClosedLoop.run(CLIENTS, warmup, duration, i -> {
            RawHttp http = new RawHttp("127.0.0.1", port);
            return client(http, n -> {
                RawHttp.Reply reply = http.send("GET", PatchThroughput.NO_SUCH_PATH, null, null);
                return reply.status() == 404 ? null : reply.status() + " " + reply.body();
            });
        });
    }

    @FunctionalInterface
    private interface Call {
        String call(long n) throws Exception;
    }

    private static ClosedLoop.Client client(RawHttp http, Call call) {
        return new ClosedLoop.Client() {
            @Override
            public String call(long n) throws Exception {
                return call.call(n);
            }

            @Override
            public void close() throws Exception {
                http.close();
            }
        };
    }

    private static void putEndpoint(int port, String name, String properties) throws Exception {
        try (RawHttp http = new RawHttp("127.0.0.1", port)) {
            expect(http.send("PUT", "/endpoints/" + name + API, "application/json",
                    "{\"properties\":" + properties + "}"), 200);
        }
    }

    private static void putRoute(int port, String id, String endpoint) throws Exception {
        try (RawHttp http = new RawHttp("127.0.0.1", port)) {
            expect(http.send("PUT", "/eventroutes/" + id + API, "application/json",
                    "{\"endpointName\":\"" + endpoint + "\",\"filter\":\"" + UPDATES + "\"}"), 204);
        }
    }

    private static void delete(int port, String path) throws Exception {
        try (RawHttp http = new RawHttp("127.0.0.1", port)) {
            expect(http.send("DELETE", path + API, null, null), 204);
        }
    }

    private static void expect(RawHttp.Reply reply, int status) {
        if (reply.status() != status) {
            throw new IllegalStateException("expected " + status + ", got " + reply.status() + ": " + reply.body());
        }
    }

    private static void print(String what, ClosedLoop.Window w) {
        System.out.printf(Locale.ROOT, "%s: %.0f/s, p50 %s ms, p99 %s ms, errors %d, process CPU %.0f%%, load before"
                        + " %s%s%n", what, w.perSecond(), Stats.ms(w.latency().percentileMs(50)),
                Stats.ms(w.latency().percentileMs(99)), w.errors(), w.cpuPercent(), w.loadBefore(),
                w.firstErrors().isEmpty() ? "" : "  first errors: " + w.firstErrors());
    }

    private static String writeRow(String routes, ClosedLoop.Window patch, ClosedLoop.Window notFound,
            ClosedLoop.Window bare) {
        return String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %d | %.0f%% of %d cores | %.0f | %.3f | **%.2f** |"
                        + " %s |", routes, patch.perSecond(), Stats.ms(patch.latency().percentileMs(50)),
                Stats.ms(patch.latency().percentileMs(99)), patch.errors(), patch.cpuPercent(),
                Runtime.getRuntime().availableProcessors(), notFound.perSecond(),
                patch.perSecond() / notFound.perSecond(), patch.perSecond() / bare.perSecond(), patch.loadBefore());
    }

    private static String seconds(double value) {
        return Double.isNaN(value) ? "n/a" : Stats.ms(value * 1000);
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long left = nanoTime - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }

    @FunctionalInterface
    private interface Body<T> {
        T run() throws Exception;
    }

    private static <T> T unchecked(Body<T> body) {
        try {
            return body.run();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The application's Prometheus page, as name plus labels to value, read over one keep-alive connection. */
    private static final class Metrics {

        private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)\\{([^}]*)}\\s+(\\S+)");
        private final int port;

        Metrics(int port) {
            this.port = port;
        }

        Map<String, Double> scrape() throws Exception {
            try (RawHttp http = new RawHttp("127.0.0.1", port)) {
                RawHttp.Reply reply = http.send("GET", "/observe/metrics", null, null);
                expect(reply, 200);
                Map<String, Double> values = new LinkedHashMap<>();
                for (String line : reply.body().split("\n")) {
                    Matcher m = LINE.matcher(line);
                    if (m.find() && m.group(1).startsWith("twingress_egress_")) {
                        String endpoint = label(m.group(2), "endpoint");
                        String quantile = label(m.group(2), "quantile");
                        values.put(key(m.group(1), endpoint, quantile), Double.parseDouble(m.group(3)));
                    }
                }
                return values;
            }
        }

        static double value(Map<String, Double> scrape, String metric, String endpoint) {
            return value(scrape, metric, endpoint, null);
        }

        static double value(Map<String, Double> scrape, String metric, String endpoint, String quantile) {
            return scrape.getOrDefault(key(metric, endpoint, quantile), Double.NaN);
        }

        private static String key(String metric, String endpoint, String quantile) {
            return metric + "|" + endpoint + "|" + quantile;
        }

        private static String label(String labels, String name) {
            Matcher m = Pattern.compile("(?:^|,)" + name + "=\"([^\"]*)\"").matcher(labels);
            return m.find() ? m.group(1) : null;
        }
    }
}
