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
 * <p>Arguments: {@code --runs N} (default 5); {@code --jar PATH[,PATH...]} (default: this checkout's
 * {@code routes/target/twingress.jar}): with several jars, e.g. one built from an earlier commit, each run launches
 * them one after another behind the same reference, so that they compare within one run.
 */
public final class StartupTime {

    private static final String SERVING = "Twingress is serving";

    public static void main(String[] args) throws Exception {
        int runs = Integer.parseInt(Args.value(args, "--runs", "5"));
        String own = Path.of(System.getProperty("bench.repo", ".")).resolve("routes/target/twingress.jar").toString();
        List<Path> jars = new ArrayList<>();
        for (String name : Args.value(args, "--jar", own).split(",")) {
            Path jar = Path.of(name).toAbsolutePath().normalize();
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("build the application first: " + jar + " is missing");
            }
            jars.add(jar);
        }
        Machine.describe("StartupTime");
        for (int j = 0; j < jars.size(); j++) {
            System.out.println("jar " + (char) ('A' + j) + ": " + jars.get(j));
        }
        Path work = Files.createTempDirectory("twingress-startup");
        try {
            measure(jars, work, runs);
        } finally {
            TempDirs.delete(work);
        }
    }

    private static void measure(List<Path> jars, Path work, int runs) throws Exception {
        hello(work);
        for (int j = 0; j < jars.size(); j++) {
            launch(jars.get(j), work.resolve("warmup-" + j));
        }
        Stats reference = new Stats();
        List<Stats[]> perJar = new ArrayList<>();
        jars.forEach(j -> perJar.add(new Stats[] {new Stats(), new Stats()}));
        for (int i = 1; i <= runs; i++) {
            long hello = hello(work);
            reference.add(hello);
            StringBuilder line = new StringBuilder("run " + i + ": reference (bare JVM, hello) " + Stats.ms(hello / 1e6)
                    + " ms");
            for (int j = 0; j < jars.size(); j++) {
                long[] times = launch(jars.get(j), work.resolve("run" + i + "-" + j));
                perJar.get(j)[0].add(times[0]);
                perJar.get(j)[1].add(times[1]);
                line.append(jars.size() > 1 ? "; jar " + (char) ('A' + j) + ":" : ";").append(" log line ")
                        .append(Stats.ms(times[0] / 1e6)).append(" ms, first 200 ").append(Stats.ms(times[1] / 1e6))
                        .append(" ms");
            }
            System.out.println(line + " (load " + Machine.load() + ")");
        }
        double ref = reference.percentileMs(50);
        System.out.println();
        System.out.println("| measure | min ms | median ms | max ms | median / reference median |");
        System.out.println("|---|---|---|---|---|");
        for (int j = 0; j < jars.size(); j++) {
            String which = jars.size() > 1 ? "jar " + (char) ('A' + j) + ": " : "";
            row(which + "launch -> first 200 from GET /models", perJar.get(j)[1], ref);
            row(which + "launch -> \"" + SERVING + "\" logged", perJar.get(j)[0], ref);
        }
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
