package io.twingress.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Json;
import io.twingress.event.EndpointLimits;
import io.twingress.event.EventTypes;
import io.twingress.history.DataHistory;
import io.twingress.history.HistoryQuery;
import io.twingress.model.ModelService;
import io.twingress.query.QueryEngine;
import io.twingress.query.QueryLimits;
import io.twingress.query.QueryPage;
import io.twingress.query.StoreGraphSource;
import io.twingress.store.EmbeddedPostgresServer;
import io.twingress.store.HistoryRows;
import io.twingress.store.OutboxEvent;
import io.twingress.store.PostgresTwinStore;
import io.twingress.store.SqliteTwinStore;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;

/**
 * Data history at scale, on each store: the 10,000 rooms of {@link BuildingGraph} (with their buildings and floors)
 * change two properties per update, {@code --events} updates spread over one day (default 5,000,000, so 10,000,000
 * history rows, 1,000 per room). The updates are appended to the outbox as the write path appends them, then the
 * history feed ({@link DataHistory#feed}, the production code, default connection, batches of 2,000 events) turns
 * them into rows: its rate is the ingest figure. Then the queries of the issue, in process as the API runs them: a
 * one-day downsampled query (PT1H, avg) for one room, and for the 100 rooms of a floor chosen by an ADT JOIN query.
 *
 * <p>Same-run reference: appending the same events to the outbox (the write path's own insert work for those
 * changes) on the same store, in write units of {@code 5,000} events.
 *
 * <p>Arguments: {@code --stores sqlite,postgresql} {@code --events 5000000} {@code --queries 50}.
 */
public final class HistoryBenchmark {

    private static final QueryLimits LIMITS = new QueryLimits(10_000, 200_000, Duration.ofSeconds(10));
    private static final Instant DAY = Instant.parse("2026-11-26T00:00:00Z");
    private static final int APPEND_UNIT = 5_000;
    private static final int ROOMS = BuildingGraph.BUILDINGS * BuildingGraph.FLOORS * BuildingGraph.ROOMS;

    public static void main(String[] args) throws Exception {
        int events = Integer.parseInt(Args.value(args, "--events", "5000000"));
        int queries = Integer.parseInt(Args.value(args, "--queries", "50"));
        Machine.describe("HistoryBenchmark");
        for (String kind : Args.value(args, "--stores", "sqlite,postgresql").split(",")) {
            run(kind.trim(), events, queries);
        }
    }

    private static void run(String kind, int events, int queries) throws Exception {
        Path dir = Files.createTempDirectory("twingress-history-" + kind);
        BenchPostgres postgres = null;
        TwinStore store;
        if (kind.equals("sqlite")) {
            // as the application has it: the history rows in a file of their own
            store = new SqliteTwinStore(dir.resolve("data/twingress.db"), dir.resolve("data/twingress-history.db"),
                    "FULL");
            System.out.println("sqlite: on " + Machine.disk(dir) + ", synchronous=FULL, WAL, history rows in their"
                    + " own file");
        } else {
            postgres = BenchPostgres.start(true);
            System.out.println("postgresql: " + postgres.settings());
            store = new PostgresTwinStore(postgres.url(), EmbeddedPostgresServer.USER,
                    EmbeddedPostgresServer.PASSWORD, 16);
        }
        try {
            ModelService models = new ModelService(store);
            models.upload(BuildingGraph.models());
            loadRooms(store);
            DataHistory history = new DataHistory(store, store.historyStore(), Clock.systemUTC(), "bench", 2000,
                    Duration.ofMinutes(1), EndpointLimits.ANY);
            history.ensureDefault();

            long start = System.nanoTime();
            append(store, events);
            double appendSeconds = (System.nanoTime() - start) / 1e9;
            System.out.printf(Locale.ROOT, "%s: reference: appended %,d update events to the outbox in %.1f s:"
                    + " %,.0f events/s (%,.0f history rows' worth/s)%n", kind, events, appendSeconds,
                    events / appendSeconds, 2 * events / appendSeconds);

            start = System.nanoTime();
            long read = 0;
            for (int n = history.feed(); n > 0; n = history.feed()) {
                read += n;
            }
            double feedSeconds = (System.nanoTime() - start) / 1e9;
            long rows = store.historyStore().read(tx -> (long) tx.propertyEvents(HistoryRows.ValueTable.PROPERTY, "default",
                    List.of(BuildingGraph.room(0, 0, 0)), null, "2000-01-01T00:00:00Z", "2100-01-01T00:00:00Z", 0,
                    10_000).size());
            System.out.printf(Locale.ROOT, "%s: history feed: %,d events into %,d rows in %.1f s: %,.0f rows/s"
                    + " (ratio to the outbox append of the same changes: %.2f); room b00-f0-r000 holds %,d rows%n",
                    kind, read, 2 * read, feedSeconds, 2 * read / feedSeconds,
                    (2 * read / feedSeconds) / (2 * events / appendSeconds), rows);
            if (postgres != null) {
                try (Connection c = DriverManager.getConnection(postgres.url(), EmbeddedPostgresServer.USER,
                        EmbeddedPostgresServer.PASSWORD); Statement s = c.createStatement()) {
                    s.execute("ANALYZE");
                }
            }
            queries(kind, store, models, queries);
        } finally {
            store.close();
            if (postgres != null) {
                postgres.close();
            }
            TempDirs.delete(dir);
        }
    }

    private static void queries(String kind, TwinStore store, ModelService models, int repetitions) {
        HistoryQuery query = new HistoryQuery(store.historyStore());
        QueryEngine engine = new QueryEngine(new StoreGraphSource(store, models), Json.MAPPER, LIMITS,
                Clock.systemUTC());
        Random random = new Random(7);
        Stats one = new Stats();
        Stats floor = new Stats();
        Stats floorSelect = new Stats();
        int oneRows = 0;
        int floorRows = 0;
        for (int i = -5; i < repetitions; i++) {
            int b = random.nextInt(BuildingGraph.BUILDINGS);
            int f = random.nextInt(BuildingGraph.FLOORS);
            String room = BuildingGraph.room(b, f, random.nextInt(BuildingGraph.ROOMS));
            long t0 = System.nanoTime();
            List<ObjectNode> r1 = query.downsampled(HistoryRows.ValueTable.PROPERTY, "default", List.of(room), null,
                    DAY, DAY.plus(Duration.ofDays(1)), Duration.ofHours(1), HistoryQuery.Aggregate.AVG);
            long t1 = System.nanoTime();
            Set<String> rooms = select(engine, "SELECT room.$dtId AS tid FROM DIGITALTWINS floor JOIN room RELATED"
                    + " floor.hasRoom WHERE floor.$dtId = '" + BuildingGraph.floor(b, f) + "'");
            long t2 = System.nanoTime();
            List<ObjectNode> r100 = query.downsampled(HistoryRows.ValueTable.PROPERTY, "default", rooms, null, DAY,
                    DAY.plus(Duration.ofDays(1)), Duration.ofHours(1), HistoryQuery.Aggregate.AVG);
            long t3 = System.nanoTime();
            if (rooms.size() != BuildingGraph.ROOMS) {
                throw new IllegalStateException("the floor query selected " + rooms.size() + " rooms");
            }
            if (i >= 0) {
                one.add(t1 - t0);
                floorSelect.add(t2 - t1);
                floor.add(t3 - t1);
                oneRows = r1.size();
                floorRows = r100.size();
            }
        }
        System.out.printf(Locale.ROOT, "%s: one room, one day, PT1H avg (%d buckets): p50 %s ms, p99 %s ms%n", kind,
                oneRows, Stats.ms(one.percentileMs(50)), Stats.ms(one.percentileMs(99)));
        System.out.printf(Locale.ROOT, "%s: a floor's 100 rooms by ADT JOIN, one day, PT1H avg (%d buckets): p50 %s"
                + " ms, p99 %s ms (of which the JOIN: p50 %s ms)%n", kind, floorRows,
                Stats.ms(floor.percentileMs(50)), Stats.ms(floor.percentileMs(99)),
                Stats.ms(floorSelect.percentileMs(50)));
    }

    private static Set<String> select(QueryEngine engine, String text) {
        Set<String> ids = new LinkedHashSet<>();
        String token = null;
        do {
            QueryPage page = engine.execute(token == null ? text : null, token, 0);
            page.items().forEach(item -> ids.add(item.get("tid").asText()));
            token = page.continuationToken();
        } while (token != null);
        return ids;
    }

    /** Buildings, floors and rooms of the campus, with the relationships between them (no devices). */
    private static void loadRooms(TwinStore store) {
        List<StoredTwin> twins = new ArrayList<>();
        BuildingGraph.twins(t -> {
            if (!t.id().contains("-d")) {
                twins.add(t);
            }
        });
        List<StoredRelationship> rels = new ArrayList<>();
        BuildingGraph.relationships(r -> {
            if (r.name().equals("hasFloor") || r.name().equals("hasRoom")) {
                rels.add(r);
            }
        });
        store.write(tx -> {
            twins.forEach(tx::insertTwin);
            rels.forEach(tx::insertRelationship);
            return null;
        });
        System.out.printf(Locale.ROOT, "%s: loaded %,d twins and %,d relationships%n", store.kind(), twins.size(),
                rels.size());
    }

    /** Update events as the write path records them: each changes a room's temperature and occupancy. */
    private static void append(TwinStore store, int events) {
        Random random = new Random(42);
        long spacingNanos = Duration.ofDays(1).toNanos() / events;
        List<OutboxEvent> unit = new ArrayList<>(APPEND_UNIT);
        for (int i = 0; i < events; i++) {
            int room = i % ROOMS;
            String twinId = BuildingGraph.room(room / (BuildingGraph.FLOORS * BuildingGraph.ROOMS),
                    room / BuildingGraph.ROOMS % BuildingGraph.FLOORS, room % BuildingGraph.ROOMS);
            Instant time = DAY.plusNanos(i * spacingNanos);
            ObjectNode data = Json.object();
            data.put("modelId", room % 5 == 0 ? BuildingGraph.CONFERENCE_ROOM : BuildingGraph.ROOM);
            ArrayNode patch = data.putArray("patch");
            patch.addObject().put("op", "replace").put("path", "/temperature")
                    .put("value", Math.round((18 + random.nextDouble() * 8) * 10) / 10.0);
            patch.addObject().put("op", "replace").put("path", "/occupied").put("value", random.nextBoolean());
            unit.add(OutboxEvent.of(time.toEpochMilli(), UUID.randomUUID().toString(), EventTypes.TWIN_UPDATE,
                    "bench.twingress", twinId, time.toString(), null, null, Json.write(data), null));
            if (unit.size() == APPEND_UNIT || i == events - 1) {
                store.write(tx -> {
                    unit.forEach(tx::appendEvent);
                    return null;
                });
                unit.clear();
            }
        }
    }
}
