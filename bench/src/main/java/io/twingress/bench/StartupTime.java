package io.twingress.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Time from launching {@code java -jar routes/target/twingress.jar} in a fresh data directory to the first
 * {@code 200} from {@code GET /models}, and to the "Twingress is serving" log line. One launch is made first and
 * not counted, so that every counted launch finds the jar and its libraries in the page cache.
 *
 * <p>Same-run reference: right before each launch of the application, a bare JVM with the same default flags runs
 * {@link Hello} (print one line, exit), timed from launch to exit. Machines here differ by up to 2x between
 * sessions; the ratio application/hello is what compares across them.
 *
 * <p>Arguments: {@code --runs N} (default 5).
 */
public final class StartupTime {

    private static final String SERVING = "Twingress is serving";

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(Args.value(args, "--runs", "5"));
        Path jar = Path.of(System.getProperty("bench.repo", ".")).resolve("routes/target/twingress.jar")
                .toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("build the application first: " + jar + " is missing");
        }
        Machine.describe("StartupTime");
        System.out.println("jar: " + jar);
        Path work = Files.createTempDirectory("twingress-startup");
        try {
            measure(jar, work, runs);
        } finally {
            TempDirs.delete(work);
        }
    }

    private static void measure(Path jar, Path work, int runs) throws Exception {
        hello(work);
        launch(jar, work.resolve("warmup"));
        Stats reference = new Stats();
        Stats toServing = new Stats();
        Stats toFirst200 = new Stats();
        for (int i = 1; i <= runs; i++) {
            long hello = hello(work);
            reference.add(hello);
            long[] times = launch(jar, work.resolve("run" + i));
            toServing.add(times[0]);
            toFirst200.add(times[1]);
            System.out.printf("run %d: reference (bare JVM, hello) %s ms; log line %s ms, first 200 %s ms (load %s)%n",
                    i, Stats.ms(hello / 1e6), Stats.ms(times[0] / 1e6), Stats.ms(times[1] / 1e6), Machine.load());
        }
        double ref = reference.percentileMs(50);
        System.out.println();
        System.out.println("| measure | min ms | median ms | max ms | median / reference median |");
        System.out.println("|---|---|---|---|---|");
        row("launch -> first 200 from GET /models", toFirst200, ref);
        row("launch -> \"" + SERVING + "\" logged", toServing, ref);
        row("reference: bare JVM launch -> hello printed, exited", reference, ref);
    }

    private static void row(String name, Stats s, double referenceMs) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s | %.1f |%n", name, Stats.ms(s.minMs()),
                Stats.ms(s.percentileMs(50)), Stats.ms(s.maxMs()), s.percentileMs(50) / referenceMs);
    }

    /** The reference: nanoseconds from launching a bare JVM on {@link Hello} to its exit. */
    private static long hello(Path dir) throws Exception {
        String classes = Path.of(Hello.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        long start = System.nanoTime();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", classes, Hello.class.getName()).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = process.waitFor();
        long took = System.nanoTime() - start;
        if (status != 0 || !out.startsWith("hello")) {
            throw new IllegalStateException("the reference JVM failed (" + status + "): " + out);
        }
        return took;
    }

    /** The smallest Java program: what starting any JVM here costs. */
    public static final class Hello {

        private Hello() {
        }

        public static void main(String[] args) {
            System.out.println("hello");
        }
    }

    /** Returns nanoseconds from launch to the log line and to the first 200. */
    private static long[] launch(Path jar, Path dir) throws Exception {
        Files.createDirectories(dir);
        int port = InProcessTwingress.freePort();
        int managementPort = InProcessTwingress.freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dcamel.server.port=" + port,
                "-Dcamel.management.port=" + managementPort,
                "-Dtwingress.data.dir=" + dir.resolve("data"),
                "-Dtwingress.routes.dir=" + dir.resolve("routes"),
                "-jar", jar.toString()));
        long[] servingAt = {-1};
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        Thread reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = r.readLine(); line != null; line = r.readLine()) {
                    if (line.contains(SERVING)) {
                        synchronized (servingAt) {
                            if (servingAt[0] < 0) {
                                servingAt[0] = System.nanoTime() - start;
                            }
                        }
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "startup-log");
        reader.setDaemon(true);
        reader.start();
        try {
            long first200 = -1;
            long deadline = start + TimeUnit.SECONDS.toNanos(60);
            while (first200 < 0) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("Twingress did not answer within 60 s (alive: "
                            + process.isAlive() + ")");
                }
                try (RawHttp http = new RawHttp("127.0.0.1", port)) {
                    if (http.send("GET", "/models?api-version=2023-10-31", null, null).status() == 200) {
                        first200 = System.nanoTime() - start;
                    }
                } catch (IOException notYet) {
                    // a refused connect costs microseconds; 5 ms between tries bounds the error and the CPU stolen
                    Thread.sleep(5);
                }
            }
            long logDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                synchronized (servingAt) {
                    if (servingAt[0] >= 0 || System.nanoTime() > logDeadline) {
                        break;
                    }
                }
                Thread.sleep(1);
            }
            return new long[] {servingAt[0], first200};
        } finally {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }
}
