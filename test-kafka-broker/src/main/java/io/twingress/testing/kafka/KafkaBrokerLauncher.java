package io.twingress.testing.kafka;

/**
 * Formats a KRaft storage directory and runs {@code kafka.Kafka} in one child JVM that dies with the JVM that started
 * it. Formatting in the same JVM saves a second JVM start (seconds on a busy two-core machine). A shutdown hook in
 * the test JVM stops the broker on a normal exit; the watchdog here covers the rest (the test JVM SIGKILLed, a fork
 * timed out), where an orphaned broker would keep its ports and 350 MB.
 *
 * <p>Arguments: the parent's pid, the {@code server.properties} path, and a cluster id to format the storage with
 * (omit it to run on storage formatted before).
 */
public final class KafkaBrokerLauncher {

    private static final long POLL_MILLIS = 500;
    private static final long GRACEFUL_EXIT_MILLIS = 10_000;

    private KafkaBrokerLauncher() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || args.length > 3) {
            System.err.println("usage: KafkaBrokerLauncher <parent pid> <server.properties> [<cluster id to format>]");
            System.exit(2);
        }
        long parentPid = Long.parseLong(args[0]);
        String config = args[1];
        Thread watchdog = new Thread(() -> watch(parentPid), "parent-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        if (args.length == 3) {
            // joined to its option: a random id may start with '-' (base64url), which alone reads as an option
            int formatted = kafka.tools.StorageTool.execute(new String[] {"format", "--cluster-id=" + args[2], "-c",
                    config}, System.out);
            if (formatted != 0) {
                System.err.println("formatting the storage failed with " + formatted);
                System.exit(formatted);
            }
        }
        kafka.Kafka.main(new String[] {config});
    }

    private static void watch(long parentPid) {
        try {
            while (ProcessHandle.of(parentPid).map(ProcessHandle::isAlive).orElse(false)) {
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            return;
        }
        System.err.println("parent process " + parentPid + " is gone: stopping the broker");
        // System.exit runs Kafka's own shutdown hook; halt if that hangs
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(GRACEFUL_EXIT_MILLIS);
            } catch (InterruptedException ignored) {
                // halting anyway
            }
            Runtime.getRuntime().halt(1);
        }, "parent-watchdog-halt");
        halt.setDaemon(true);
        halt.start();
        System.exit(1);
    }
}
