package io.twingress.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;

/** What a figure is worth depends on where it was taken: printed at the head of every run. */
final class Machine {

    private Machine() {
    }

    static void describe(String benchmark) {
        System.out.println("== " + benchmark + "  " + OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS));
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
