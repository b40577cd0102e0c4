package io.twingress.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * JSON Patch {@code replace /Temperature} over HTTP against the real application on each store: one client, eight
 * clients each on its own twins, and eight clients on the same twin (every patch contends for one row lock).
 * Clients are closed-loop (send, wait for the reply, send again), so requests/s is what the server sustains at
 * that concurrency, and latency includes queueing behind the other clients.
 *
 * <p>Each scenario has two same-run references with the same clients and windows, measured right before and right
 * after it: raw JDBC read-modify-write of the same rows on the same database ({@link JdbcPatchReference}), and
 * {@code GET} of an unknown path on the same server, a 404 from the HTTP layer with no store work. The ratios
 * PATCH/s over each are what compares across machines and sessions.
 *
 * <p>Arguments: {@code --stores sqlite,postgresql,postgresql-async} {@code --warmup 5} {@code --duration 20} (seconds)
 * {@code --twins 64} {@code --app k=v,...} (application properties, e.g. to compare settings) {@code --jit-warmup 20}
 * (seconds of eight-client PATCH, not measured, before each store's first scenario: on two cores the JIT compiling
 * the HTTP, Camel and store paths took half the machine for some 20 s, so that the first scenario's own 5-second
 * warm-up measured one client at half its rate).
 */
public final class PatchThroughput {

    static final String MODEL = "dtmi:twingress:bench:Thermostat;1";
    private static final String API = "?api-version=2023-10-31";
    static final String NO_SUCH_PATH = "/bench/no-such-resource";

    private record Scenario(String name, int clients, boolean sameTwin) {
    }

    private static final List<Scenario> SCENARIOS = List.of(new Scenario("1 client, own twins", 1, false),
            new Scenario("8 clients, own twins", 8, false), new Scenario("8 clients, same twin", 8, true));

    public static void main(String[] args) throws Exception {
        String[] stores = Args.value(args, "--stores", "sqlite,postgresql,postgresql-async").split(",");
        int warmup = Integer.parseInt(Args.value(args, "--warmup", "5"));
        int duration = Integer.parseInt(Args.value(args, "--duration", "20"));
        int twins = Integer.parseInt(Args.value(args, "--twins", "64"));
        int jitWarmup = Integer.parseInt(Args.value(args, "--jit-warmup", "20"));
        List<Scenario> scenarios = new ArrayList<>();
        for (String n : Args.value(args, "--scenarios", "1,2,3").split(",")) {
            scenarios.add(SCENARIOS.get(Integer.parseInt(n.trim()) - 1));
        }
        Machine.describe("PatchThroughput");
        if (!Args.appProperties(args).isEmpty()) {
            System.out.println("application properties set: " + Args.appProperties(args));
        }
        System.out.printf("warm-up %d s, measured %d s per window, %d twins, closed-loop clients over raw "
                + "HTTP/1.1 keep-alive, in-process server; per scenario: JDBC reference, PATCH, HTTP 404 reference%n",
                warmup, duration, twins);
        List<String> rows = new ArrayList<>();
        for (String store : stores) {
            Path dir = Files.createTempDirectory("twingress-patch-" + store);
            System.out.println("store " + store + ", " + FsyncProbe.describe(dir, 1000));
            try (InProcessTwingress app = InProcessTwingress.start(store, dir, Args.appProperties(args))) {
                setUp(app.port(), twins);
                warmUp(app.port(), twins, jitWarmup);
                try (JdbcPatchReference reference = JdbcPatchReference.open(app)) {
                    for (Scenario scenario : scenarios) {
                        rows.add(run(store, scenario, app.port(), new StoreMeters(app.managementPort()), reference,
                                twins, warmup, duration));
                    }
                }
            } finally {
                TempDirs.delete(dir);
            }
        }
        System.out.println();
        System.out.println("PATCH = the application; JDBC = raw read-modify-write per commit of the same rows on the"
                + " same database; 404 = GET of an unknown path on the same server. Ratios: PATCH/s divided by the"
                + " reference's calls/s.");
        System.out.println("| store | scenario | PATCH/s | p50 ms | p99 ms | errors | process CPU | JDBC RMW/s"
                + " | JDBC p50 ms | PATCH/JDBC | 404/s | 404 p50 ms | PATCH/404 | load before |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    static void setUp(int port, int twins) throws Exception {
        try (RawHttp http = new RawHttp("127.0.0.1", port)) {
            String model = "[{\"@context\":\"dtmi:dtdl:context;3\",\"@id\":\"" + MODEL + "\",\"@type\":\"Interface\","
                    + "\"contents\":[{\"@type\":\"Property\",\"name\":\"Temperature\",\"schema\":\"double\"},"
                    + "{\"@type\":\"Property\",\"name\":\"Label\",\"schema\":\"string\"}]}]";
            expect(http.send("POST", "/models" + API, "application/json", model), 201);
            for (int i = 0; i < twins; i++) {
                String twin = "{\"$metadata\":{\"$model\":\"" + MODEL + "\"},\"Temperature\":20.0,\"Label\":\"t" + i
                        + "\"}";
                expect(http.send("PUT", "/digitaltwins/" + twinId(i) + API, "application/json", twin), 200);
            }
        }
    }

    /** Eight clients PATCH for {@code seconds}, not measured: the JIT compiles the paths the scenarios take. */
    private static void warmUp(int port, int twins, int seconds) throws Exception {
        if (seconds <= 0) {
            return;
        }
        Scenario all = SCENARIOS.get(1);
        ClosedLoop.Window w = ClosedLoop.run(all.clients(), seconds - 1, 1,
                i -> patchClient(port, twinsOf(i, all, twins)));
        System.out.printf(Locale.ROOT, "JIT warm-up: %d s of %s PATCH, not measured (its last second: %.0f/s, errors"
                + " %d)%n", seconds, all.name(), w.perSecond(), w.errors());
    }

    static String twinId(int i) {
        return String.format(Locale.ROOT, "thermostat-%04d", i);
    }

    /** Client i's twins: i, i + clients, ... so that no two clients touch one twin; or all on twin 0. */
    private static List<String> twinsOf(int client, Scenario scenario, int twins) {
        if (scenario.sameTwin()) {
            return List.of(twinId(0));
        }
        List<String> mine = new ArrayList<>();
        for (int i = client; i < twins; i += scenario.clients()) {
            mine.add(twinId(i));
        }
        return mine;
    }

    private static void expect(RawHttp.Reply reply, int status) {
        if (reply.status() != status) {
            throw new IllegalStateException("expected " + status + ", got " + reply.status() + ": " + reply.body());
        }
    }

    private static String run(String store, Scenario scenario, int port, StoreMeters meters,
            JdbcPatchReference reference, int twins, int warmup, int duration) throws Exception {
        int clients = scenario.clients();
        ClosedLoop.Window jdbc = ClosedLoop.run(clients, warmup, duration,
                i -> reference.client(twinsOf(i, scenario, twins)));
        print(store, scenario, "JDBC reference", jdbc);
        Map<String, Double> before = meters.scrape();
        ClosedLoop.Window patch = ClosedLoop.run(clients, warmup, duration,
                i -> patchClient(port, twinsOf(i, scenario, twins)));
        print(store, scenario, "PATCH", patch);
        System.out.println("  warm-up and window:" + StoreMeters.groups(before, meters.scrape()));
        ClosedLoop.Window notFound = ClosedLoop.run(clients, warmup, duration, i -> http(port, (http, n) -> {
            RawHttp.Reply reply = http.send("GET", NO_SUCH_PATH, null, null);
            return reply.status() == 404 ? null : reply.status() + " " + reply.body();
        }));
        print(store, scenario, "404 reference", notFound);
        return String.format(Locale.ROOT, "| %s | %s | %.0f | %s | %s | %d | %.0f%% of %d cores | %.0f | %s | %.2f"
                        + " | %.0f | %s | %.2f | %s |", store, scenario.name(), patch.perSecond(),
                Stats.ms(patch.latency().percentileMs(50)), Stats.ms(patch.latency().percentileMs(99)),
                patch.errors(), patch.cpuPercent(), Runtime.getRuntime().availableProcessors(), jdbc.perSecond(),
                Stats.ms(jdbc.latency().percentileMs(50)), patch.perSecond() / jdbc.perSecond(),
                notFound.perSecond(), Stats.ms(notFound.latency().percentileMs(50)),
                patch.perSecond() / notFound.perSecond(), patch.loadBefore());
    }

    private static void print(String store, Scenario scenario, String what, ClosedLoop.Window w) {
        System.out.printf(Locale.ROOT, "%s, %s, %s: %.0f/s, p50 %s ms, p99 %s ms, errors %d, process CPU %.0f%%,"
                        + " load before %s%s%n", store, scenario.name(), what, w.perSecond(),
                Stats.ms(w.latency().percentileMs(50)), Stats.ms(w.latency().percentileMs(99)), w.errors(),
                w.cpuPercent(), w.loadBefore(), w.firstErrors().isEmpty() ? "" : "  first errors: " + w.firstErrors());
        System.out.println("  process CPU, " + w.cpuPerCall());
    }

    @FunctionalInterface
    private interface HttpCall {
        String call(RawHttp http, long n) throws Exception;
    }

    /** A client that PATCHes its twins' Temperature in turn; anything but 204 is an error. */
    private static ClosedLoop.Client patchClient(int port, List<String> mine) throws Exception {
        return http(port, (http, n) -> {
            String patchBody = "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":" + (15 + (n % 150) / 10.0)
                    + "}]";
            RawHttp.Reply reply = http.send("PATCH", "/digitaltwins/" + mine.get((int) (n % mine.size())) + API,
                    "application/json-patch+json", patchBody);
            return reply.status() == 204 ? null : reply.status() + " " + reply.body();
        });
    }

    /** A closed-loop client on its own keep-alive connection. */
    private static ClosedLoop.Client http(int port, HttpCall call) throws Exception {
        RawHttp http = new RawHttp("127.0.0.1", port);
        return new ClosedLoop.Client() {
            @Override
            public String call(long n) throws Exception {
                return call.call(http, n);
            }

            @Override
            public void close() throws Exception {
                http.close();
            }
        };
    }
}
