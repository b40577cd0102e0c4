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
 * server on the embedded SQLite store, synchronous=FULL) while three event routes send every twin update to two Kafka
 * endpoints (a broker in a child JVM) and one Webhook endpoint (a JDK HTTP server in this JVM).
 *
 * <ol>
 * <li><b>Write path</b>: PATCH/s with no endpoint and no route, then with the three routes delivering; each beside
 * the same clients' {@code GET} of an unknown path (HTTP 404, no store work) as the same-run reference. The outbox
 * row is written in both: what differs is the relays reading it and moving their cursors.</li>
 * <li><b>Delivery</b>, in the second window: events/s each receiver got (records read from each topic, POSTs at the
 * webhook), cross-checked with {@code twingress_egress_delivered_total}; the delay from the event's CloudEvent
 * {@code time} (set in the write unit, just before the commit) to its arrival, p50 and p99, per endpoint.</li>
 * <li><b>Outage</b>: once the webhook has caught up, it stops listening for {@code --outage} seconds while the
 * clients keep patching; then the clients stop, it listens again, and the program prints the backlog it built
 * ({@code twingress_egress_backlog}) and how fast it drained: events/s from the first event after its return until
 * the backlog is zero. The endpoint keeps the default retry policy, so the wait before the first retry that reaches
 * it (up to five minutes after a long outage) is printed apart from the drain.</li>
 * </ol>
 *
 * <p>Arguments: {@code --warmup 5} {@code --duration 20} (seconds, for each PATCH and 404 window) {@code --outage 60}
 * (seconds; the figure is 600) {@code --twins 64}.
 */
public final class EgressThroughput {

    private static final String API = "?api-version=2023-10-31";
    private static final int CLIENTS = 8;
    private static final String UPDATES = "type = 'Microsoft.DigitalTwins.Twin.Update'";
    private static final List<String> ENDPOINTS = List.of("kafka-a", "kafka-b", "webhook");
    private static final String WEBHOOK = "webhook";

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
        System.out.println("store sqlite, " + FsyncProbe.describe(dir, 1000));
        Map<String, DeliveryTally> tallies = new LinkedHashMap<>();
        ENDPOINTS.forEach(e -> tallies.put(e, new DeliveryTally()));
        long brokerFrom = System.nanoTime();
        try (BenchKafka kafka = BenchKafka.start(dir.resolve("kafka"));
                WebhookReceiver hook = new WebhookReceiver(tallies.get(WEBHOOK));
                InProcessTwingress app = InProcessTwingress.start("sqlite", dir)) {
            System.out.printf(Locale.ROOT, "Kafka 4.0.1 broker (child JVM, pid %d, -Xmx512m) on %s; broker and"
                    + " application up in %.1f s%n", kafka.pid(), kafka.bootstrapServers(),
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

            for (String endpoint : ENDPOINTS) {
                if (endpoint.equals(WEBHOOK)) {
                    putEndpoint(app.port(), endpoint, "{\"endpointType\":\"Webhook\",\"url\":\""
                            + hook.url("/events") + "\"}");
                } else {
                    String topic = "twin-events-" + endpoint;
                    kafka.createTopic(topic, 3);
                    kafka.read(topic, tallies.get(endpoint));
                    putEndpoint(app.port(), endpoint, "{\"endpointType\":\"Kafka\",\"bootstrapServers\":\""
                            + kafka.bootstrapServers() + "\",\"topic\":\"" + topic + "\"}");
                }
                putRoute(app.port(), "updates-to-" + endpoint, endpoint);
            }
            awaitFlowing(app.port(), tallies);

            System.out.println();
            System.out.println("== 2. write path and delivery with the three routes");
            Map<String, Double> deliveredFrom = new LinkedHashMap<>();
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
                String row = String.format(Locale.ROOT, "| %s | %.0f | %.0f | %.2f | %s | %s | %s | %s | %.0f |",
                        endpoint, taken.events() / windowSeconds, counted / windowSeconds,
                        taken.events() / windowSeconds / withRoutes.perSecond(),
                        Stats.ms(taken.delays().percentileMs(50)), Stats.ms(taken.delays().percentileMs(99)),
                        seconds(Metrics.value(scrapeTo, "twingress_egress_delivery_delay_seconds", endpoint,
                                "0.5")), seconds(Metrics.value(scrapeTo, "twingress_egress_delivery_delay_seconds",
                                endpoint, "0.99")), Metrics.value(scrapeTo, "twingress_egress_backlog", endpoint));
                deliveryRows.add(row);
                System.out.printf(Locale.ROOT, "%s: received %d in %.1f s, %d without a readable time%n", endpoint,
                        taken.events(), windowSeconds, taken.untimed());
            }

            System.out.println();
            System.out.printf("== 3. webhook outage of %d s under the same clients%n", outage);
            double before = awaitBacklogBelow(metrics, WEBHOOK, 1, 300);
            tallies.values().forEach(DeliveryTally::take);
            hook.stop();
            double stoppedAt = Metrics.value(metrics.scrape(), "twingress_egress_backlog", WEBHOOK);
            long outageFrom = System.nanoTime();
            ClosedLoop.Window during = patch(app.port(), twins, 0, outage);
            double outageSeconds = (System.nanoTime() - outageFrom) / 1e9;
            Map<String, DeliveryTally.Taken> outageTaken = new LinkedHashMap<>();
            tallies.forEach((e, t) -> outageTaken.put(e, t.take()));
            Map<String, Double> atReturn = metrics.scrape();
            double built = Metrics.value(atReturn, "twingress_egress_backlog", WEBHOOK);
            print("PATCH during the outage", during);
            for (String endpoint : ENDPOINTS) {
                System.out.printf(Locale.ROOT, "%s during the outage: %.0f events/s received, backlog %.0f%n",
                        endpoint, outageTaken.get(endpoint).events() / outageSeconds,
                        Metrics.value(atReturn, "twingress_egress_backlog", endpoint));
            }
            System.out.printf(Locale.ROOT, "webhook backlog: %.0f before the outage (after waiting for it to drain),"
                    + " %.0f when it stopped, %.0f when it came back (clients stopped)%n", before, stoppedAt, built);
            Drain drain = drain(hook, metrics, tallies.get(WEBHOOK));
            System.out.printf(Locale.ROOT, "webhook back: first event %.1f s after it listened again (retry"
                    + " backoff); then %d events in %.1f s until the backlog was 0: %.0f events/s; delay p50 %s ms,"
                    + " p99 %s ms (commit to arrival, most of it the outage); process CPU %.0f%%, load after %s%n",
                    drain.firstAfter(), drain.events(), drain.seconds(), drain.events() / drain.seconds(),
                    Stats.ms(drain.delays().percentileMs(50)), Stats.ms(drain.delays().percentileMs(99)),
                    drain.cpuPercent(), Machine.load());

            System.out.println();
            System.out.println("Write path: PATCH = 8 clients on their own twins; 404 = the same clients' GET of an"
                    + " unknown path right after, the same-run reference. Ratios: PATCH/s over 404/s.");
            System.out.println("| routes | PATCH/s | p50 ms | p99 ms | errors | process CPU | 404/s | PATCH/404 |"
                    + " load before |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            System.out.println(writeRow("none", bare, bare404));
            System.out.println(writeRow("3 (2 Kafka, 1 Webhook)", withRoutes, routes404));
            System.out.printf(Locale.ROOT, "PATCH/s with routes over without: %.2f (the issue allows no less than"
                    + " 0.85); the same for the 404 references: %.2f%n", withRoutes.perSecond() / bare.perSecond(),
                    routes404.perSecond() / bare404.perSecond());
            System.out.printf(Locale.ROOT, "PATCH/s during the outage (the Kafka relays delivering, the webhook's"
                    + " waiting to retry; no warm-up, %d s) over without routes: %.2f%n", outage,
                    during.perSecond() / bare.perSecond());
            System.out.println();
            System.out.println("Delivery in window 2: received = counted at the receiver (records read from the"
                    + " topic, POSTs answered); metrics = twingress_egress_delivered_total over the same window;"
                    + " delay = arrival minus the CloudEvent time (receiver) and the application's own summary"
                    + " at the window's end (commit to acknowledgement, Micrometer's decaying window); backlog at the"
                    + " window's end.");
            System.out.println("| endpoint | received/s | metrics/s | received/PATCH | delay p50 ms | delay p99 ms |"
                    + " metrics p50 ms | metrics p99 ms | backlog |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            deliveryRows.forEach(System.out::println);
            System.out.println();
            System.out.printf(Locale.ROOT, "| outage s | PATCH/s during | backlog built | first event after return s"
                    + " | drained events | drain s | drain events/s | drain process CPU |%n|---|---|---|---|---|---|---|---|%n"
                    + "| %.0f | %.0f | %.0f | %.1f | %d | %.1f | %.0f | %.0f%% |%n", outageSeconds, during.perSecond(),
                    built - stoppedAt, drain.firstAfter(), drain.events(), drain.seconds(),
                    drain.events() / drain.seconds(), drain.cpuPercent());
        } finally {
            TempDirs.delete(dir);
        }
    }

    /** The webhook's catch-up: when its first event came after it listened again, then events and time to zero. */
    private record Drain(double firstAfter, long events, double seconds, Stats delays, double cpuPercent) {
    }

    private static Drain drain(WebhookReceiver hook, Metrics metrics, DeliveryTally tally) throws Exception {
        long before = tally.total();
        hook.start();
        long back = System.nanoTime();
        while (tally.total() == before) {
            Thread.sleep(5);
            if (System.nanoTime() - back > 600_000_000_000L) {
                throw new IllegalStateException("the webhook got nothing within 10 minutes of its return");
            }
        }
        long first = System.nanoTime();
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpuFrom = os.getProcessCpuTime();
        // the hook was down since the last take: all it has counted came after its return
        DeliveryTally.Taken opening = tally.take();
        while (Metrics.value(metrics.scrape(), "twingress_egress_backlog", WEBHOOK) > 0) {
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
    private static void awaitFlowing(int port, Map<String, DeliveryTally> tallies) throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (RawHttp http = new RawHttp("127.0.0.1", port)) {
            while (tallies.values().stream().anyMatch(t -> t.total() == 0)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("not every endpoint delivered within 60 s: " + tallies.keySet());
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

    private static String writeRow(String routes, ClosedLoop.Window patch, ClosedLoop.Window notFound) {
        return String.format(Locale.ROOT, "| %s | %.0f | %s | %s | %d | %.0f%% of %d cores | %.0f | %.3f | %s |",
                routes, patch.perSecond(), Stats.ms(patch.latency().percentileMs(50)),
                Stats.ms(patch.latency().percentileMs(99)), patch.errors(), patch.cpuPercent(),
                Runtime.getRuntime().availableProcessors(), notFound.perSecond(),
                patch.perSecond() / notFound.perSecond(), patch.loadBefore());
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
