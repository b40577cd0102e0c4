package io.twingress.history;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.store.HistoryRows;
import io.twingress.store.TwinStore;

/**
 * Reads a connection's property (or telemetry) history: the rows of some twins (and properties) in a time range, as ADT's table
 * columns, or downsampled into intervals with an aggregate ({@code avg}, {@code min}, {@code max}, {@code sum},
 * {@code count}, {@code first}, {@code last}) per twin and property.
 */
public final class HistoryQuery {

    public enum Aggregate {
        AVG, MIN, MAX, SUM, COUNT, FIRST, LAST
    }

    /** The most rows one downsampled request reads; a wider request is refused with what to narrow. */
    static final int MAX_DOWNSAMPLED_ROWS = 1_000_000;

    private final TwinStore store;

    public HistoryQuery(TwinStore store) {
        this.store = store;
    }

    /** One page of raw rows after row {@code afterId}, and the id to continue after (or -1 at the end). */
    public record RawPage(List<ObjectNode> rows, long nextAfterId) {
    }

    public RawPage raw(HistoryRows.ValueTable table, String connection, Collection<String> twinIds,
            Collection<String> keys, Instant from, Instant to, long afterId, int limit) {
        List<HistoryRows.PropertyEvent> rows = store.read(tx -> tx.propertyEvents(table, connection, twinIds, keys,
                HistoryTime.format(from), HistoryTime.format(to), afterId, limit + 1));
        List<ObjectNode> out = new ArrayList<>();
        rows.stream().limit(limit).forEach(r -> out.add(AdxColumns.value(table, r)));
        return new RawPage(out, rows.size() > limit ? rows.get(limit - 1).id() : -1);
    }

    /**
     * Every interval of every twin and property that has values, by twin, then property, then time. Each twin's
     * values are read along its time index and folded into their interval as they come, so a time is parsed only
     * where an interval begins.
     */
    public List<ObjectNode> downsampled(HistoryRows.ValueTable table, String connection,
            Collection<String> twinIds, Collection<String> keys, Instant from, Instant to, Duration interval,
            Aggregate aggregate) {
        String fromText = HistoryTime.format(from);
        String toText = HistoryTime.format(to);
        long intervalNanos = interval.toNanos();
        List<ObjectNode> out = new ArrayList<>();
        store.read(tx -> {
            int read = 0;
            for (String twinId : new TreeSet<>(twinIds)) {
                int budget = MAX_DOWNSAMPLED_ROWS - read;
                List<HistoryRows.Value> values = tx.twinValues(table, connection, twinId, keys, fromText, toText,
                        budget + 1);
                read += values.size();
                if (read > MAX_DOWNSAMPLED_ROWS) {
                    throw AdtError.INVALID_ARGUMENT.with("The request covers more than " + MAX_DOWNSAMPLED_ROWS
                            + " history rows: narrow the time range, the twins or the properties.");
                }
                Map<String, List<Bucket>> byKey = new TreeMap<>();
                for (HistoryRows.Value v : values) {
                    List<Bucket> buckets = byKey.computeIfAbsent(v.key(), k -> new ArrayList<>());
                    Bucket current = buckets.isEmpty() ? null : buckets.get(buckets.size() - 1);
                    if (current == null || v.timeStamp().compareTo(current.endText) >= 0) {
                        long index = Duration.between(from, Instant.parse(v.timeStamp())).toNanos() / intervalNanos;
                        Instant start = from.plus(interval.multipliedBy(index));
                        current = new Bucket(start, HistoryTime.format(start.plus(interval)));
                        buckets.add(current);
                    }
                    current.add(v.value());
                }
                byKey.forEach((key, buckets) -> buckets.forEach(b -> {
                    JsonNode value = b.value(aggregate);
                    if (value != null) {
                        ObjectNode row = Json.object();
                        row.put("TimeStamp", b.start.toString());
                        row.put("Id", twinId);
                        row.put("Key", key);
                        row.set("Value", value);
                        row.put("Count", b.count);
                        out.add(row);
                    }
                }));
            }
            return null;
        });
        return out;
    }

    /** One interval's values of one twin's property, folded as they come; stored times order as text. */
    private static final class Bucket {
        final Instant start;
        final String endText;
        int count;
        String first;
        String last;
        int numbers;
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal min;
        BigDecimal max;

        Bucket(Instant start, String endText) {
            this.start = start;
            this.endText = endText;
        }

        void add(String value) {
            if (value == null) {
                return;
            }
            count++;
            if (first == null) {
                first = value;
            }
            last = value;
            BigDecimal number = number(value);
            if (number != null) {
                numbers++;
                sum = sum.add(number);
                min = min == null ? number : min.min(number);
                max = max == null ? number : max.max(number);
            }
        }

        JsonNode value(Aggregate aggregate) {
            if (count == 0) {
                return null;
            }
            BigDecimal result;
            switch (aggregate) {
                case FIRST:
                    return Json.parse(first);
                case LAST:
                    return Json.parse(last);
                case COUNT:
                    return Json.MAPPER.getNodeFactory().numberNode(count);
                case MIN:
                    result = min;
                    break;
                case MAX:
                    result = max;
                    break;
                case SUM:
                    result = numbers == 0 ? null : sum;
                    break;
                default:
                    result = numbers == 0 ? null
                            : sum.divide(BigDecimal.valueOf(numbers), MathContext.DECIMAL64);
            }
            return result == null ? null : Json.MAPPER.getNodeFactory().numberNode(result);
        }
    }

    /** A stored value as a number, or null if it is none (text, a boolean, an object...). */
    private static BigDecimal number(String text) {
        char c = text.isEmpty() ? ' ' : text.charAt(0);
        if (c != '-' && (c < '0' || c > '9')) {
            return null;
        }
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
