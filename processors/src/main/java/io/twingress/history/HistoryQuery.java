package io.twingress.history;

import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

    /** Every interval of every twin and property that has rows, in time order per twin and property. */
    public List<ObjectNode> downsampled(HistoryRows.ValueTable table, String connection,
            Collection<String> twinIds, Collection<String> keys, Instant from, Instant to, Duration interval,
            Aggregate aggregate) {
        Map<String, Bucket> buckets = new LinkedHashMap<>();
        String fromText = HistoryTime.format(from);
        String toText = HistoryTime.format(to);
        long intervalNanos = interval.toNanos();
        int read = 0;
        // twin by twin, each along the per-twin time index; the budget covers all of them
        for (String twinId : twinIds) {
            int budget = MAX_DOWNSAMPLED_ROWS - read;
            List<HistoryRows.PropertyEvent> rows = store.read(tx -> tx.twinHistory(table, connection, twinId, keys,
                    fromText, toText, budget + 1));
            read += rows.size();
            if (read > MAX_DOWNSAMPLED_ROWS) {
                throw AdtError.INVALID_ARGUMENT.with("The request covers more than " + MAX_DOWNSAMPLED_ROWS
                        + " history rows: narrow the time range, the twins or the properties.");
            }
            for (HistoryRows.PropertyEvent r : rows) {
                long index = Duration.between(from, Instant.parse(r.timeStamp())).toNanos() / intervalNanos;
                Instant start = from.plus(interval.multipliedBy(index));
                buckets.computeIfAbsent(r.twinId() + "\n" + r.key() + "\n" + start,
                        k -> new Bucket(r.twinId(), r.key(), start)).add(r.value() == null ? null : value(r.value()));
            }
        }
        List<ObjectNode> out = new ArrayList<>();
        buckets.values().stream()
                .sorted(java.util.Comparator.comparing((Bucket b) -> b.twinId).thenComparing(b -> b.key)
                        .thenComparing(b -> b.start))
                .forEach(b -> {
                    JsonNode value = b.value(aggregate);
                    if (value != null) {
                        ObjectNode row = Json.object();
                        row.put("TimeStamp", b.start.toString());
                        row.put("Id", b.twinId);
                        row.put("Key", b.key);
                        row.set("Value", value);
                        row.put("Count", b.values.size());
                        out.add(row);
                    }
                });
        return out;
    }

    /** A stored value as JSON; the common plain number without Jackson's parser. */
    private static JsonNode value(String text) {
        if (!text.isEmpty() && text.length() < 20 && (Character.isDigit(text.charAt(0)) || text.charAt(0) == '-')
                && text.chars().allMatch(c -> Character.isDigit(c) || c == '.' || c == '-')) {
            try {
                return Json.MAPPER.getNodeFactory().numberNode(new BigDecimal(text));
            } catch (NumberFormatException e) {
                // not a plain decimal after all
            }
        }
        return Json.parse(text);
    }

    private static final class Bucket {
        final String twinId;
        final String key;
        final Instant start;
        final List<JsonNode> values = new ArrayList<>();

        Bucket(String twinId, String key, Instant start) {
            this.twinId = twinId;
            this.key = key;
            this.start = start;
        }

        void add(JsonNode value) {
            if (value != null) {
                values.add(value);
            }
        }

        JsonNode value(Aggregate aggregate) {
            if (values.isEmpty()) {
                return null;
            }
            switch (aggregate) {
                case FIRST:
                    return values.get(0);
                case LAST:
                    return values.get(values.size() - 1);
                case COUNT:
                    return Json.MAPPER.getNodeFactory().numberNode(values.size());
                default:
                    break;
            }
            List<BigDecimal> numbers = values.stream().filter(JsonNode::isNumber).map(JsonNode::decimalValue)
                    .toList();
            if (numbers.isEmpty()) {
                return null;
            }
            BigDecimal result = switch (aggregate) {
                case MIN -> numbers.stream().reduce(BigDecimal::min).orElseThrow();
                case MAX -> numbers.stream().reduce(BigDecimal::max).orElseThrow();
                case SUM -> numbers.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
                default -> numbers.stream().reduce(BigDecimal.ZERO, BigDecimal::add)
                        .divide(BigDecimal.valueOf(numbers.size()), MathContext.DECIMAL64);
            };
            return Json.MAPPER.getNodeFactory().numberNode(Json.plain(result));
        }
    }
}
