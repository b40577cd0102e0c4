package io.twingress.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * What one durable commit costs on this disk at the least: a 4 KiB write into a preallocated file followed by
 * fdatasync, as a WAL append is. Write throughput at one commit per request can never beat its inverse; a
 * virtual disk backed by a host page cache makes it far cheaper than a physical one would be.
 *
 * <p>Arguments: {@code --dir PATH} (default: a temporary directory), {@code --syncs 1000}.
 */
public final class FsyncProbe {

    public static void main(String[] args) throws IOException {
        String given = Args.value(args, "--dir", null);
        Path dir = given != null ? Path.of(given) : Files.createTempDirectory("twingress-fsync");
        int syncs = Integer.parseInt(Args.value(args, "--syncs", "1000"));
        try {
            System.out.println(describe(dir, syncs));
        } finally {
            if (given == null) {
                TempDirs.delete(dir);
            }
        }
    }

    static String describe(Path dir, int syncs) throws IOException {
        Path file = dir.resolve("fsync-probe.bin");
        Stats s = new Stats();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ)) {
            ByteBuffer page = ByteBuffer.allocate(4096);
            for (int i = 0; i < 256; i++) {
                page.clear();
                ch.write(page, i * 4096L);
            }
            ch.force(true);
            for (int i = 0; i < syncs + 100; i++) {
                page.clear();
                page.put(0, (byte) i);
                long start = System.nanoTime();
                ch.write(page, (i % 256) * 4096L);
                ch.force(false);
                if (i >= 100) {
                    s.add(System.nanoTime() - start);
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
        return "fsync probe on " + Machine.disk(dir) + ": 4 KiB write + fdatasync, p50 " + Stats.ms(s.percentileMs(50))
                + " ms, p99 " + Stats.ms(s.percentileMs(99)) + " ms (" + syncs + " syncs)";
    }
}
