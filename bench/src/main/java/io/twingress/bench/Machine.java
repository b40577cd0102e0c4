package io.twingress.bench;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/**
 * What a figure is worth depends on where it was taken and on which code: printed at the head of every run. Run on
 * its own, it prints the machine section of BENCHMARKS.md (with the disk's fsync cost and the library versions).
 *
 * <p>Arguments: none.
 */
public final class Machine {

    private Machine() {
    }

    public static void main(String[] args) throws IOException {
        describe("Machine");
        System.out.println("os: " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch"));
        System.out.println("maven: " + System.getProperty("bench.maven", "unknown (not run through exec:exec)"));
        System.out.println("camel: " + version("org.apache.camel", "camel-api"));
        System.out.println("sqlite-jdbc: " + version("org.xerial", "sqlite-jdbc"));
        Path dir = Files.createTempDirectory("twingress-machine");
        try {
            System.out.println(FsyncProbe.describe(dir, 1000));
        } finally {
            TempDirs.delete(dir);
        }
    }

    static void describe(String benchmark) {
        System.out.println("== " + benchmark + "  " + OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS));
        System.out.println("code: " + commit());
        System.out.println("cores (nproc): " + Runtime.getRuntime().availableProcessors());
        System.out.println("cpu: " + cpuModel());
        System.out.println("ram: " + memTotal());
        System.out.println("jdk: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
                + ", heap max " + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB, gc "
                + ManagementFactory.getGarbageCollectorMXBeans().get(0).getName());
        System.out.println("load: " + load());
    }

    /** The 1/5/15-minute load averages, since other builds share these cores. */
    static String load() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /**
     * The commit of the checkout that built these classes, and whether tracked files differ from it (results and
     * BENCHMARKS.md excluded, since they are written after the run): a figure names the commit it was measured at.
     */
    static String commit() {
        Path repo = Path.of(System.getProperty("bench.repo", "."));
        String head = git(repo, "rev-parse", "--short=7", "HEAD");
        if (head == null) {
            return "unknown (no git checkout at " + repo.toAbsolutePath().normalize() + ")";
        }
        String changes = git(repo, "status", "--porcelain", "--untracked-files=no", "--", ".",
                ":(exclude)bench/results", ":(exclude)BENCHMARKS.md");
        return head + (changes == null || changes.isEmpty() ? " (no uncommitted changes)"
                : " WITH UNCOMMITTED CHANGES: " + changes.replace('\n', ';'));
    }

    private static String git(Path repo, String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", repo.toString()));
        command.addAll(List.of(args));
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            String out;
            try (InputStream in = p.getInputStream()) {
                out = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            }
            return p.waitFor() == 0 ? out : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A library's version from the Maven metadata inside its jar. */
    private static String version(String groupId, String artifactId) {
        String resource = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
        try (InputStream in = Machine.class.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            var props = new java.util.Properties();
            props.load(in);
            return props.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String disk(Path dir) {
        try {
            var store = Files.getFileStore(dir);
            return store.type() + " (" + store.name() + ")";
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"), StandardCharsets.UTF_8)) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).trim();
                }
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }

    private static String memTotal() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/meminfo"));
            for (String line : lines) {
                if (line.startsWith("MemTotal:")) {
                    long kb = Long.parseLong(line.replaceAll("\\D", ""));
                    return String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return "unknown";
    }
}
