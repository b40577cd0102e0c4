package io.twingress.bench;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The application's ingress counters and each store writer's group meters ({@code twingress_store_group_units},
 * {@code _apply_seconds}, {@code _commit_seconds}), scraped from {@code /observe/metrics}; two scrapes give a phase's
 * groups.
 */
final class StoreMeters {

    private final int port;

    StoreMeters(int port) {
        this.port = port;
    }

    Map<String, Double> scrape() throws Exception {
        try (RawHttp http = new RawHttp("127.0.0.1", port)) {
            RawHttp.Reply reply = http.send("GET", "/observe/metrics", null, null);
            Map<String, Double> sums = new HashMap<>();
            for (String line : reply.body().split("\n")) {
                if (line.startsWith("twingress_ingress_") || line.startsWith("twingress_store_")) {
                    String name = line.substring(0, line.indexOf(line.contains("{") ? '{' : ' '));
                    if (name.startsWith("twingress_store_")) {
                        // per store: the twins' writer and the history's are told apart
                        Matcher store = STORE.matcher(line);
                        name += store.find() ? "{" + store.group(1) + "}" : "";
                    }
                    double value = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                    sums.merge(name, value, Double::sum);
                }
            }
            return sums;
        }
    }

    private static final Pattern STORE = Pattern.compile("store=\"([^\"]*)\"");

    static double sum(Map<String, Double> scrape, String name) {
        return scrape.getOrDefault(name, 0.0);
    }

    /**
     * Each store writer's groups between two scrapes: how many, units per group, and the mean time to apply a
     * group and to commit it (its sync included); the max is the meter's recent maximum, not the phase's own.
     */
    static String groups(Map<String, Double> before, Map<String, Double> after) {
        StringBuilder text = new StringBuilder();
        for (String key : new TreeSet<>(after.keySet())) {
            if (!key.startsWith("twingress_store_commit_seconds_count{")) {
                continue;
            }
            String store = key.substring(key.indexOf('{'));
            double groups = delta(before, after, key);
            if (groups == 0) {
                continue;
            }
            text.append(String.format(Locale.ROOT, "%n  store writer %s: %.0f groups of %.1f units on average,"
                            + " apply %.2f ms and commit %.2f ms on average (commit recent max %.1f ms)",
                    store.substring(1, store.length() - 1), groups,
                    delta(before, after, "twingress_store_group_units_sum" + store) / groups,
                    delta(before, after, "twingress_store_apply_seconds_sum" + store) / groups * 1000,
                    delta(before, after, "twingress_store_commit_seconds_sum" + store) / groups * 1000,
                    after.getOrDefault("twingress_store_commit_seconds_max" + store, 0.0) * 1000));
        }
        return text.toString();
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }
}
