package io.twingress.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * An acknowledged write survives the writer being killed without warning: a separate JVM writes twins and reports
 * each one after {@code write} returned; we SIGKILL it mid-stream and look for every reported twin in the file.
 * A kill leaves the OS page cache intact, so this proves the store acknowledges only committed work, not that the
 * data survives a power cut (that is what {@code synchronous=FULL} is for).
 */
class SqliteDurabilityIT {

    private static final int ACKS_BEFORE_KILL = 200;

    @TempDir
    Path dir;

    private final AtomicBoolean killed = new AtomicBoolean();

    @Test
    @Timeout(60)
    void everyAcknowledgedWriteSurvivesKillMinus9() throws Exception {
        killWhileWritingAndFindEveryAck(1);
    }

    /** Eight writers: their units commit in groups, and each is acknowledged only after its group's commit. */
    @Test
    @Timeout(60)
    void everyAcknowledgedWriteOfEightConcurrentWritersSurvivesKillMinus9() throws Exception {
        killWhileWritingAndFindEveryAck(8);
    }

    private void killWhileWritingAndFindEveryAck(int writers) throws Exception {
        Path file = dir.resolve("durable-" + writers + ".db");
        Path stderr = dir.resolve("writer-" + writers + ".err");
        killed.set(false);
        Process writer = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                SqliteWriterProcess.class.getName(), file.toString(), Integer.toString(writers))
                .redirectError(stderr.toFile())
                .start();
        List<String> acknowledged = Collections.synchronizedList(new ArrayList<>());
        // one reader drains stdout until the writer is killed
        CompletableFuture<Void> drained = CompletableFuture.runAsync(() -> readAcks(writer, acknowledged));
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            while (acknowledged.size() < ACKS_BEFORE_KILL) {
                if (!writer.isAlive() || System.nanoTime() > deadline) {
                    fail("the writer stopped after %d acks; stderr: %s", acknowledged.size(), Files.readString(stderr));
                }
                Thread.sleep(5);
            }

            killed.set(true);
            writer.destroyForcibly();
            assertThat(writer.waitFor(10, TimeUnit.SECONDS)).as("writer died").isTrue();
            // 128 + 9: the JVM got SIGKILL and ran no shutdown hook, no close(), no final checkpoint
            assertThat(writer.exitValue()).isEqualTo(137);
            drained.get(10, TimeUnit.SECONDS);
        } finally {
            writer.destroyForcibly();
        }
        assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(ACKS_BEFORE_KILL);

        Set<String> stored = new HashSet<>();
        try (SqliteTwinStore reopened = new SqliteTwinStore(file, "FULL")) {
            reopened.read(tx -> {
                tx.twins(null, null, Integer.MAX_VALUE).forEach(t -> stored.add(t.id()));
                return null;
            });
        }
        assertThat(stored).containsAll(acknowledged);
    }

    private void readAcks(Process writer, List<String> acks) {
        try (BufferedReader out = new BufferedReader(
                new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                // the "ready" banner is not an ack
                if (line.startsWith("durable-")) {
                    acks.add(line);
                }
            }
        } catch (IOException e) {
            // destroyForcibly() closes the pipe under a reader blocked in read(), which then fails with "Stream
            // closed": after the kill that is the end of the output, and every ack read before it counts
            if (!killed.get()) {
                throw new IllegalStateException("cannot read the writer's output", e);
            }
        }
    }
}
