package io.twingress.bench;

import java.util.Arrays;
import java.util.Locale;

/** Latency samples in nanoseconds, summarised the same way by every benchmark. */
final class Stats {

    private long[] samples = new long[1024];
    private int size;

    void add(long nanos) {
        if (size == samples.length) {
            samples = Arrays.copyOf(samples, size * 2);
        }
        samples[size++] = nanos;
    }

    void addAll(Stats other) {
        for (int i = 0; i < other.size; i++) {
            add(other.samples[i]);
        }
    }

    int count() {
        return size;
    }

    /** Nearest-rank percentile, in milliseconds; nearest-rank keeps p99 an observed value, not an interpolation. */
    double percentileMs(double p) {
        if (size == 0) {
            return Double.NaN;
        }
        long[] sorted = Arrays.copyOf(samples, size);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * size);
        return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
    }

    double minMs() {
        return percentileMs(0);
    }

    double maxMs() {
        return percentileMs(100);
    }

    double meanMs() {
        long sum = 0;
        for (int i = 0; i < size; i++) {
            sum += samples[i];
        }
        return size == 0 ? Double.NaN : sum / 1e6 / size;
    }

    static String ms(double value) {
        return String.format(Locale.ROOT, value < 10 ? "%.2f" : "%.1f", value);
    }
}
