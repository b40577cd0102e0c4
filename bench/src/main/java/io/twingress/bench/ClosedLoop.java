package io.twingress.bench;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Closed-loop clients (send, wait for the reply, send again) for a warm-up and a measured window. Every workload
 * of a run, the one measured and its same-run references, goes through this one driver, so that they differ only
 * in what a call does.
 */
final class ClosedLoop {

    private ClosedLoop() {
    }

    /** One client's connection; a call returns null when it succeeded, else what went wrong. */
    interface Client extends AutoCloseable {
        String call(long n) throws Exception;
    }

    @FunctionalInterface
    interface ClientFactory {
        Client open(int index) throws Exception;
    }

    /** What a window gave: calls started in it per second, their latencies, and this JVM's CPU share. */
    record Window(double perSecond, Stats latency, long errors, List<String> firstErrors, double cpuPercent,
                  String loadBefore, String cpuPerCall) {
    }

    static Window run(int clients, int warmupSeconds, int durationSeconds, ClientFactory factory) throws Exception {
        String loadBefore = Machine.load();
        long start = System.nanoTime();
        long measureFrom = start + warmupSeconds * 1_000_000_000L;
        long measureTo = measureFrom + durationSeconds * 1_000_000_000L;
        Stats[] latencies = new Stats[clients];
        AtomicLong errors = new AtomicLong();
        List<String> firstErrors = new ArrayList<>();
        CountDownLatch done = new CountDownLatch(clients);
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (int c = 0; c < clients; c++) {
            int index = c;
            latencies[c] = new Stats();
            Thread t = new Thread(() -> {
                try (Client client = factory.open(index)) {
                    for (long n = 0; ; n++) {
                        long before = System.nanoTime();
                        if (before >= measureTo) {
                            break;
                        }
                        String error = client.call(n);
                        long after = System.nanoTime();
                        if (before >= measureFrom) {
                            if (error != null) {
                                errors.incrementAndGet();
                                synchronized (firstErrors) {
                                    if (firstErrors.size() < 3) {
                                        firstErrors.add(error);
                                    }
                                }
                            }
                            // a call started in the window counts even if it ends after it: none is dropped
                            latencies[index].add(after - before);
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
            }, "closed-loop-client-" + c);
            t.start();
        }
        Thread.sleep(Math.max(0, (measureFrom - System.nanoTime()) / 1_000_000));
        long cpuFrom = os.getProcessCpuTime();
        ThreadCpu threads = new ThreadCpu();
        long wallFrom = System.nanoTime();
        done.await();
        long wall = System.nanoTime() - wallFrom;
        long cpu = os.getProcessCpuTime() - cpuFrom;
        Stats all = new Stats();
        for (Stats s : latencies) {
            all.addAll(s);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return new Window(all.count() / (double) durationSeconds, all, errors.get(), firstErrors,
                cpu / (double) wall / cores * 100, loadBefore, threads.per("call", all.count(), cpu));
    }
}
