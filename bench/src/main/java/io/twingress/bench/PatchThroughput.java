package io.twingress.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * JSON Patch {@code replace /Temperature} over HTTP against the real application on each store: one client, eight
 * clients each on its own twins, and eight clients on the same twin (every patch contends for one row lock).
 * Clients are closed-loop (send, wait for the reply, send again), so requests/s is what the server sustains at
 * that concurrency, and latency includes queueing behind the other clients.
 *
 * <p>Arguments: {@code --stores sqlite,postgresql,postgresql-async} {@code --warmup 5} {@code --duration 20} (seconds)
 * {@code --twins 64}.
 */
public final class PatchThroughput {

    static final String MODEL = "dtmi:twingress:bench:Thermostat;1";
    private static final String API = "?api-version=2023-10-31";

    public static void main(String[] args) throws Exception {
        String[] stores = Args.value(args, "--stores", "sqlite,postgresql,postgresql-async").split(",");
        int warmup = Integer.parseInt(Args.value(args, "--warmup", "5"));
        int duration = Integer.parseInt(Args.value(args, "--duration", "20"));
        int twins = Integer.parseInt(Args.value(args, "--twins", "64"));
        Machine.describe("PatchThroughput");
        System.out.printf("warm-up %d s, measured %d s per scenario, %d twins, closed-loop clients over raw "
                + "HTTP/1.1 keep-alive, in-process server%n", warmup, duration, twins);
        List<String> rows = new ArrayList<>();
        for (String store : stores) {
            Path dir = Files.createTempDirectory("twingress-patch-" + store);
            System.out.println("store " + store + ", " + FsyncProbe.describe(dir, 1000));
            try (InProcessTwingress app = InProcessTwingress.start(store, dir)) {
                setUp(app.port(), twins);
                rows.add(run(store, "1 client, own twins", app.port(), 1, false, twins, warmup, duration));
                rows.add(run(store, "8 clients, own twins", app.port(), 8, false, twins, warmup, duration));
                rows.add(run(store, "8 clients, same twin", app.port(), 8, true, twins, warmup, duration));
            } finally {
                TempDirs.delete(dir);
            }
        }
        System.out.println();
        System.out.println("| store | scenario | requests/s | p50 ms | p99 ms | errors | process CPU | load before |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
    }

    private static void setUp(int port, int twins) throws Exception {
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

    private static String twinId(int i) {
        return String.format(Locale.ROOT, "thermostat-%04d", i);
    }

    private static void expect(RawHttp.Reply reply, int status) {
        if (reply.status() != status) {
            throw new IllegalStateException("expected " + status + ", got " + reply.status() + ": " + reply.body());
        }
    }

    private static String run(String store, String scenario, int port, int clients, boolean sameTwin, int twins,
            int warmupSeconds, int durationSeconds) throws Exception {
        String loadBefore = Machine.load();
        long start = System.nanoTime();
        long measureFrom = start + warmupSeconds * 1_000_000_000L;
        long measureTo = measureFrom + durationSeconds * 1_000_000_000L;
        Stats[] latencies = new Stats[clients];
        AtomicLong errors = new AtomicLong();
        List<String> firstErrors = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        long[] cpuAt = new long[2];
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int c = 0; c < clients; c++) {
            int client = c;
            latencies[c] = new Stats();
            Thread t = new Thread(() -> {
                try (RawHttp http = new RawHttp("127.0.0.1", port)) {
                    // each client cycles over its own slice of the twins, so no two clients touch one twin
                    List<String> mine = new ArrayList<>();
                    for (int i = client; i < twins; i += clients) {
                        mine.add(twinId(i));
                    }
                    if (sameTwin) {
                        mine = List.of(twinId(0));
                    }
                    long n = 0;
                    while (true) {
                        long before = System.nanoTime();
                        if (before >= measureTo) {
                            break;
                        }
                        String id = mine.get((int) (n % mine.size()));
                        String patch = "[{\"op\":\"replace\",\"path\":\"/Temperature\",\"value\":"
                                + (15 + (n % 150) / 10.0) + "}]";
                        RawHttp.Reply reply = http.send("PATCH", "/digitaltwins/" + id + API,
                                "application/json-patch+json", patch);
                        long after = System.nanoTime();
                        n++;
                        if (before >= measureFrom) {
                            if (reply.status() != 204) {
                                errors.incrementAndGet();
                                synchronized (firstErrors) {
                                    if (firstErrors.size() < 3) {
                                        firstErrors.add(reply.status() + " " + reply.body());
                                    }
                                }
                            }
                            // a request started in the window counts even if it ends after it: none is dropped
                            latencies[client].add(after - before);
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                    synchronized (firstErrors) {
                        firstErrors.add(e.toString());
                    }
                } finally {
                    done.countDown();
                }
            }, "patch-client-" + c);
            t.start();
        }
        Thread.sleep(Math.max(0, (measureFrom - System.nanoTime()) / 1_000_000));
        cpuAt[0] = os.getProcessCpuTime();
        long wallFrom = System.nanoTime();
        done.await();
        long wall = System.nanoTime() - wallFrom;
        cpuAt[1] = os.getProcessCpuTime();
        Stats all = new Stats();
        for (Stats s : latencies) {
            all.addAll(s);
        }
        double seconds = durationSeconds;
        double cpu = (cpuAt[1] - cpuAt[0]) / (double) wall / Runtime.getRuntime().availableProcessors() * 100;
        String row = String.format(Locale.ROOT, "| %s | %s | %.0f | %s | %s | %d | %.0f%% of %d cores | %s |", store,
                scenario, all.count() / seconds, Stats.ms(all.percentileMs(50)), Stats.ms(all.percentileMs(99)),
                errors.get(), cpu, Runtime.getRuntime().availableProcessors(), loadBefore);
        System.out.println(row + (firstErrors.isEmpty() ? "" : "  first errors: " + firstErrors));
        return row;
    }
}
