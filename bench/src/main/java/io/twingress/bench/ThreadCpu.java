package io.twingress.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The CPU time of this JVM's Java threads, taken at a phase's start and turned into CPU per message by thread group
 * at its end: which part of the application a message's CPU goes to, a figure that moves less with the machine's
 * other load than a rate does. Threads are grouped by name with their numbers taken out; what the process spent
 * outside Java threads (JIT compilers, GC, the VM) is the rest of the process's CPU time.
 */
final class ThreadCpu {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private final Map<Long, Long> start = snapshot();

    private static Map<Long, Long> snapshot() {
        Map<Long, Long> cpu = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            long nanos = THREADS.getThreadCpuTime(id);
            if (nanos >= 0) {
                cpu.put(id, nanos);
            }
        }
        return cpu;
    }

    /**
     * CPU microseconds per message since the snapshot, by thread group, largest first, groups under 1 µs left out;
     * {@code processNanos} is the process's CPU time over the same span, of which the rest is shown as non-Java.
     */
    String perMessage(long messages, long processNanos) {
        return per("message", messages, processNanos);
    }

    /** As {@link #perMessage}, per {@code unit} (a call, a message), of which there were {@code count}. */
    String per(String unit, long count, long processNanos) {
        Map<String, Long> byGroup = new HashMap<>();
        long java = 0;
        for (long id : THREADS.getAllThreadIds()) {
            long nanos = THREADS.getThreadCpuTime(id);
            ThreadInfo info = THREADS.getThreadInfo(id);
            if (nanos < 0 || info == null) {
                continue;
            }
            long spent = nanos - start.getOrDefault(id, 0L);
            java += spent;
            byGroup.merge(info.getThreadName().replaceAll("[0-9]+", "#"), spent, Long::sum);
        }
        byGroup.put("(not Java threads: JIT, GC, VM; and threads ended meanwhile)", Math.max(0, processNanos - java));
        double per = Math.max(1, count) * 1000.0;
        return String.format(Locale.ROOT, "%.0f µs per %s: ", processNanos / per, unit) + byGroup.entrySet().stream()
                .filter(e -> e.getValue() / per >= 1)
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .map(e -> String.format(Locale.ROOT, "%s %.0f", e.getKey(), e.getValue() / per))
                .collect(Collectors.joining(", "));
    }
}
