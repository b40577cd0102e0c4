package io.twingress.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.twingress.Json;
import io.twingress.model.ModelService;
import io.twingress.query.QueryEngine;
import io.twingress.query.QueryLimits;
import io.twingress.query.QueryPage;
import io.twingress.query.StoreGraphSource;
import io.twingress.store.EmbeddedPostgresServer;
import io.twingress.store.PostgresTwinStore;
import io.twingress.store.SqliteTwinStore;
import io.twingress.store.StoredRelationship;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;

/**
 * ADT queries over 100,110 twins and 300,100 relationships ({@link BuildingGraph}) on each store: in-process
 * through {@link QueryEngine} over the production {@link StoreGraphSource}, then a time breakdown (store reads,
 * JSON parsing, engine) through {@link TimedGraphSource}, then a smaller sample through HTTP {@code POST /query}
 * on the real application opened on the same store. Every result is fetched whole: continuation tokens are
 * followed to the end and the pages counted, since a page may end early at the scan budget.
 *
 * <p>Same-run references, measured in this process right before each query: one raw JDBC statement per
 * repetition that returns the same rows (same ids, the store's columns, read as strings) on the same database, for
 * the in-process figures; for HTTP, {@code GET} of an unknown path on the same server and connection (a 404 from
 * the HTTP layer, no store work), counted once per page fetched. The heap the loaded graph holds is printed too.
 *
 * <p>Arguments: {@code --stores sqlite,postgresql} {@code --scale 1} (repetitions multiplier).
 */
public final class QueryBenchmark {

    /** The application's query limits (application.properties, twingress.query.*). */
    private static final QueryLimits LIMITS = new QueryLimits(10_000, 200_000, Duration.ofSeconds(10));

    private static final int BATCH = 1000;

    /** SQL text and its arguments. */
    private record Sql(String text, Object... args) {
    }

    /**
     * One query: a subject drawn per repetition (the twin a lookup, JOIN or MATCH starts from; null for scans),
     * the ADT query on it, the raw SQL returning the same rows on a store kind, and how often to run it.
     */
    private record Spec(String name, Supplier<String> subject, Function<String, String> query,
                        java.util.function.BiFunction<String, String, Sql> reference, int warmup, int reps,
                        int httpReps) {

        Spec times(int warmupTimes, int repTimes) {
            return new Spec(name, subject, query, reference, warmupTimes, repTimes, httpReps);
        }
    }

    public static void main(String[] args) throws Exception {
        String[] stores = Args.value(args, "--stores", "sqlite,postgresql").split(",");
        double scale = Double.parseDouble(Args.value(args, "--scale", "1"));
        Machine.describe("QueryBenchmark");
        List<String> heap = new ArrayList<>();
        List<String> table = new ArrayList<>();
        List<String> breakdown = new ArrayList<>();
        List<String> http = new ArrayList<>();
        for (String kind : stores) {
            runStore(kind, scale, heap, table, breakdown, http);
        }
        System.out.println();
        System.out.println("Heap held (used heap after System.gc() until it settles, minus the same before the store"
                + " was opened): the twins and relationships live in the store (SQLite's page cache and PostgreSQL"
                + " are outside the Java heap)");
        System.out.println("| store | before MiB | after load MiB | held after load MiB | after the queries MiB"
                + " | held after the queries MiB |");
        System.out.println("|---|---|---|---|---|---|");
        heap.forEach(System.out::println);
        System.out.println();
        System.out.println("In-process (QueryEngine over StoreGraphSource). Multi-page rows: 'whole' = every page"
                + " of the result fetched one after another, 'page' = one execute() call (first or continuation)."
                + " Reference: one raw JDBC statement returning the same rows, same repetitions, right before.");
        System.out.println("| store | query | rows | pages | reps | whole p50 ms | whole p99 ms | page p50 ms"
                + " | page p99 ms | ref rows | ref p50 ms | ref p99 ms | p50 / ref | p99 / ref |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        table.forEach(System.out::println);
        System.out.println();
        System.out.println("Where the time goes (mean per whole result, TimedGraphSource): store = read units"
                + " incl. JDBC and row mapping; parse = Jackson on stored bodies; engine = the rest.");
        System.out.println("| store | query | store calls | rows parsed | total ms | store ms | parse ms | engine ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        breakdown.forEach(System.out::println);
        System.out.println();
        System.out.println("Over HTTP (POST /query on the in-process app after 5 s of warm-up queries, raw HTTP/1.1"
                + " keep-alive; client-side JSON parsing excluded). Reference: GET of an unknown path (404, no store"
                + " work) on the same connection right before, once per page: ref = pages x 404 p50.");
        System.out.println("| store | query | rows | pages | reps | whole p50 ms | whole p99 ms | page p50 ms"
                + " | page p99 ms | in-process whole p50 ms | 404 p50 ms | whole p50 / (pages x 404 p50) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|");
        http.forEach(System.out::println);
    }

    private static List<Spec> specs(double scale) {
        Random random = new Random(7);
        int fast = (int) Math.round(200 * scale);
        int scan = (int) Math.round(30 * scale);
        int big = (int) Math.round(10 * scale);
        String room = BuildingGraph.ROOM;
        String twinColumns = "t.id, t.model_id, t.etag, t.body";
        Object[] rooms = {BuildingGraph.ROOM, BuildingGraph.CONFERENCE_ROOM};
        Object[] devices = {BuildingGraph.DEVICE, BuildingGraph.THERMOSTAT, BuildingGraph.SENSOR};
        return List.of(
                new Spec("lookup by $dtId", () -> randomDevice(random),
                        id -> "SELECT * FROM DIGITALTWINS T WHERE T.$dtId = '" + id + "'",
                        (kind, id) -> new Sql("SELECT " + twinColumns + " FROM twins t WHERE t.id = ?", id),
                        50, fast, 100),
                new Spec("IS_OF_MODEL(Room) AND T.temperature > 25 (10,000 candidates)", () -> null,
                        x -> "SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + room + "') AND T.temperature > 25",
                        (kind, x) -> familyAbove(kind, twinColumns, rooms), 3, scan, 10),
                new Spec("IS_OF_MODEL(Device) AND T.temperature > 25 (90,000 candidates)", () -> null,
                        x -> "SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + BuildingGraph.DEVICE
                                + "') AND T.temperature > 25",
                        (kind, x) -> familyAbove(kind, twinColumns, devices), 1, big, 3),
                new Spec("JOIN one hop room -> 9 devices", () -> randomRoom(random),
                        id -> "SELECT D FROM DIGITALTWINS R JOIN D RELATED R.hasDevice WHERE R.$dtId = '" + id + "'",
                        (kind, id) -> new Sql("SELECT " + twinColumns + " FROM relationships r JOIN twins t"
                                + " ON t.id = r.target_id WHERE r.source_id = ? AND r.name = 'hasDevice'", id),
                        50, fast, 100),
                new Spec("JOIN one hop floor -> 100 rooms",
                        () -> BuildingGraph.floor(random.nextInt(10), random.nextInt(10)),
                        id -> "SELECT R FROM DIGITALTWINS F JOIN R RELATED F.hasRoom WHERE F.$dtId = '" + id + "'",
                        (kind, id) -> new Sql("SELECT " + twinColumns + " FROM relationships r JOIN twins t"
                                + " ON t.id = r.target_id WHERE r.source_id = ? AND r.name = 'hasRoom'", id),
                        20, fast, 50),
                new Spec("MATCH 3 hops room-adjacentTo->room-hasDevice->device-connectedTo->device (9 rows)",
                        () -> randomRoom(random),
                        id -> "SELECT E FROM DIGITALTWINS MATCH (R)-[:adjacentTo]->(R2)-[:hasDevice]->(D)"
                                + "-[:connectedTo]->(E) WHERE R.$dtId = '" + id + "'",
                        (kind, id) -> new Sql("SELECT " + twinColumns + " FROM relationships a"
                                + " JOIN relationships h ON h.source_id = a.target_id AND h.name = 'hasDevice'"
                                + " JOIN relationships c ON c.source_id = h.target_id AND c.name = 'connectedTo'"
                                + " JOIN twins t ON t.id = c.target_id WHERE a.source_id = ? AND a.name = 'adjacentTo'",
                                id), 50, fast, 100),
                new Spec("COUNT() over all twins", () -> null, x -> "SELECT COUNT() FROM DIGITALTWINS",
                        (kind, x) -> new Sql("SELECT COUNT(*) FROM twins"), 20, fast, 100),
                new Spec("COUNT() IS_OF_MODEL(Room)", () -> null,
                        x -> "SELECT COUNT() FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + room + "')",
                        (kind, x) -> new Sql("SELECT COUNT(*) FROM twins WHERE model_id IN (?, ?)", rooms), 20, fast,
                        50));
    }

    /** The twins of a model family with temperature above 25 in id order, filtered by the database itself. */
    private static Sql familyAbove(String kind, String columns, Object[] models) {
        String temperature = kind.equals("sqlite") ? "json_extract(t.body, '$.temperature')"
                : "(t.body::jsonb ->> 'temperature')::float8";
        return new Sql("SELECT " + columns + " FROM twins t WHERE t.model_id IN (" + "?, ".repeat(models.length - 1)
                + "?) AND " + temperature + " > 25 ORDER BY t.id", models);
    }

    private static String randomRoom(Random random) {
        return BuildingGraph.room(random.nextInt(BuildingGraph.BUILDINGS), random.nextInt(BuildingGraph.FLOORS),
                random.nextInt(BuildingGraph.ROOMS));
    }

    private static String randomDevice(Random random) {
        return randomRoom(random) + "-d" + random.nextInt(BuildingGraph.DEVICES);
    }

    private static void runStore(String kind, double scale, List<String> heap, List<String> table,
            List<String> breakdown, List<String> http) throws Exception {
        Path dir = Files.createTempDirectory("twingress-query-" + kind);
        Path dbFile = dir.resolve("data/twingress.db");
        long heapBefore = settledUsedHeap();
        BenchPostgres postgres = null;
        TwinStore store;
        if (kind.equals("sqlite")) {
            store = new SqliteTwinStore(dbFile, "FULL");
            System.out.println("sqlite: " + dbFile + " on " + Machine.disk(dir) + ", synchronous=FULL, WAL");
        } else if (kind.equals("postgresql")) {
            postgres = BenchPostgres.start(false);
            System.out.println("postgresql: " + postgres.settings());
            store = new PostgresTwinStore(postgres.url(), EmbeddedPostgresServer.USER,
                    EmbeddedPostgresServer.PASSWORD, 16);
        } else {
            throw new IllegalArgumentException("store must be sqlite or postgresql: " + kind);
        }
        try {
            ModelService models = new ModelService(store);
            models.upload(BuildingGraph.models());
            load(store);
            if (postgres != null) {
                // autovacuum would analyse the fresh tables within a minute; do it now so plans are the steady ones
                try (Connection c = DriverManager.getConnection(postgres.url(), EmbeddedPostgresServer.USER,
                        EmbeddedPostgresServer.PASSWORD); Statement s = c.createStatement()) {
                    s.execute("ANALYZE");
                }
            }
            QueryEngine engine = new QueryEngine(new StoreGraphSource(store, models), Json.MAPPER, LIMITS,
                    Clock.systemUTC());
            long heapLoaded = settledUsedHeap();
            System.out.printf(Locale.ROOT, "%s: used heap after a full GC: %s MiB before opening the store, %s MiB"
                    + " with the graph loaded and the engine built: %s MiB held%n", kind, mib(heapBefore),
                    mib(heapLoaded), mib(heapLoaded - heapBefore));
            String url = kind.equals("sqlite") ? "jdbc:sqlite:" + dbFile.toAbsolutePath() : postgres.url();
            explain(kind, url);
            Map<String, Double> inProcessP50 = new java.util.HashMap<>();
            try (Connection raw = kind.equals("sqlite") ? DriverManager.getConnection(url)
                    : DriverManager.getConnection(url, EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD)) {
                for (Spec spec : specs(scale)) {
                    Result ref = measureReference(kind, spec, raw);
                    Result r = measure(spec, (q, token) -> engine.execute(q, token, 0));
                    inProcessP50.put(spec.name(), r.whole.percentileMs(50));
                    table.add(row(kind, spec, r) + String.format(Locale.ROOT, " %d%s | %s | %s | %.1f | %.1f |",
                            ref.rows, ref.rows == r.rows ? "" : " (DIFFERS)", Stats.ms(ref.whole.percentileMs(50)),
                            Stats.ms(ref.whole.percentileMs(99)),
                            r.whole.percentileMs(50) / ref.whole.percentileMs(50),
                            r.whole.percentileMs(99) / ref.whole.percentileMs(99)));
                    System.out.println(table.get(table.size() - 1) + "  (load " + Machine.load() + ")");
                }
            }
            long heapQueried = settledUsedHeap();
            Reference.reachabilityFence(engine);
            heap.add(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s |", kind, mib(heapBefore),
                    mib(heapLoaded), mib(heapLoaded - heapBefore), mib(heapQueried), mib(heapQueried - heapBefore)));
            System.out.println(heap.get(heap.size() - 1));
            TimedGraphSource timed = new TimedGraphSource(store, models);
            QueryEngine timedEngine = new QueryEngine(timed, Json.MAPPER, LIMITS, Clock.systemUTC());
            for (Spec spec : specs(scale)) {
                int reps = Math.max(3, spec.reps() / 10);
                measure(spec.times(spec.warmup(), 1), (q, t) -> timedEngine.execute(q, t, 0));
                timed.reset();
                Result r = measure(spec.times(0, reps), (q, t) -> timedEngine.execute(q, t, 0));
                double total = r.whole.meanMs();
                double storeMs = timed.storeNanos / 1e6 / reps;
                double parseMs = timed.parseNanos / 1e6 / reps;
                breakdown.add(String.format(Locale.ROOT, "| %s | %s | %d | %d | %s | %s | %s | %s |", kind,
                        spec.name(), timed.storeCalls / reps, timed.rows / reps, Stats.ms(total), Stats.ms(storeMs),
                        Stats.ms(parseMs), Stats.ms(total - storeMs - parseMs)));
                System.out.println(breakdown.get(breakdown.size() - 1));
            }
            if (kind.equals("sqlite")) {
                store.close();
                store = null;
            }
            Map<String, String> open = kind.equals("sqlite")
                    ? Map.of("twingress.store.sqlite.file", dbFile.toString())
                    : Map.of("twingress.store.postgresql.url", postgres.url());
            try (InProcessTwingress app = InProcessTwingress.start(kind, dir.resolve("app"), open);
                 RawHttp client = new RawHttp("127.0.0.1", app.port())) {
                // the app was just booted: without this the first samples measure the JIT compiling Camel and
                // Vert.x, not the request path
                long warmUntil = System.nanoTime() + 5_000_000_000L;
                while (System.nanoTime() < warmUntil) {
                    for (Spec spec : specs(scale)) {
                        if (spec.reps() >= 100) {
                            overHttp(client, spec.query().apply(spec.subject().get()), null);
                        }
                    }
                    notFound(client);
                }
                for (Spec spec : specs(scale)) {
                    Stats notFound = new Stats();
                    for (int i = 0; i < 20 + spec.httpReps(); i++) {
                        long start = System.nanoTime();
                        notFound(client);
                        if (i >= 20) {
                            notFound.add(System.nanoTime() - start);
                        }
                    }
                    Spec sample = spec.times(spec.warmup(), spec.httpReps());
                    Result r = measure(sample, (q, token) -> overHttp(client, q, token));
                    double ref = notFound.percentileMs(50);
                    http.add(row(kind, sample, r) + String.format(Locale.ROOT, " %s | %s | %.1f |",
                            Stats.ms(inProcessP50.get(spec.name())), Stats.ms(ref),
                            r.whole.percentileMs(50) / (r.pages * ref)));
                    System.out.println(http.get(http.size() - 1));
                }
            }
        } finally {
            if (store != null) {
                store.close();
            }
            if (postgres != null) {
                postgres.close();
            }
            TempDirs.delete(dir);
        }
    }

    /** Used heap once System.gc() stops changing it (a few rounds; G1 may need more than one to settle). */
    private static long settledUsedHeap() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = -1;
        for (int round = 0; round < 10; round++) {
            System.gc();
            Thread.sleep(100);
            long used = memory.getHeapMemoryUsage().getUsed();
            if (previous >= 0 && Math.abs(used - previous) < 512 * 1024) {
                return used;
            }
            previous = used;
        }
        return previous;
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / 1024.0 / 1024.0);
    }

    /** The unknown path: a 404 from the HTTP layer without a route or the store, the HTTP reference. */
    private static void notFound(RawHttp client) throws Exception {
        RawHttp.Reply reply = client.send("GET", PatchThroughput.NO_SUCH_PATH, null, null);
        if (reply.status() != 404) {
            throw new IllegalStateException("GET " + PatchThroughput.NO_SUCH_PATH + " answered " + reply.status());
        }
    }

    /** The raw JDBC reference: the spec's SQL for a fresh subject per repetition, every column read as text. */
    private static Result measureReference(String kind, Spec spec, Connection c) throws Exception {
        Result result = new Result();
        for (int i = 0; i < spec.warmup() + spec.reps(); i++) {
            Sql sql = spec.reference().apply(kind, spec.subject().get());
            long start = System.nanoTime();
            int rows = 0;
            try (var ps = c.prepareStatement(sql.text())) {
                bind(ps, sql.args());
                try (var rs = ps.executeQuery()) {
                    int width = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        rows++;
                        for (int col = 1; col <= width; col++) {
                            rs.getString(col);
                        }
                    }
                }
            }
            long took = System.nanoTime() - start;
            if (i >= spec.warmup()) {
                result.whole.add(took);
                result.rows = rows;
                result.pages = 1;
            }
        }
        return result;
    }

    /**
     * Plans and raw JDBC timings of the statements behind a Room-family scan page, written out here as the store
     * issues them (JdbcStoreTx): the plain IN form PostgreSQL runs, SQLite's id-order form ({@code +model_id}), and
     * that form with SQLite's json_extract bound on temperature. Written out because the store does not expose its
     * SQL; if JdbcStoreTx changes, these lines must follow.
     */
    private static void explain(String kind, String url) throws Exception {
        String columns = "id, model_id, etag, body";
        String after = "b03-f4-r050";
        String in = "SELECT " + columns + " FROM twins WHERE 1 = 1 AND model_id IN (?, ?) AND id > ? ORDER BY id LIMIT ?";
        Object[] inArgs = {BuildingGraph.ROOM, BuildingGraph.CONFERENCE_ROOM, after, 1000};
        String idOrder = in.replace("AND model_id IN", "AND +model_id IN");
        String bounded = idOrder.replace(" ORDER BY", " AND json_extract(body, ?) >= ? ORDER BY");
        Object[] boundedArgs = {BuildingGraph.ROOM, BuildingGraph.CONFERENCE_ROOM, after, "$.\"temperature\"", 25.0,
            1000};
        List<Object[]> variants = new ArrayList<>();
        variants.add(new Object[] {"family page, model_id IN (2 models) + ORDER BY id (PostgreSQL)", in, inArgs});
        if (kind.equals("sqlite")) {
            variants.add(new Object[] {"family page, +model_id IN, id order (SQLite)", idOrder, inArgs});
            variants.add(new Object[] {"family page, +model_id IN + json_extract(temperature) >= 25 (SQLite)",
                bounded, boundedArgs});
        }
        variants.add(new Object[] {"one model only (Room), index order",
            "SELECT " + columns + " FROM twins WHERE 1 = 1 AND model_id = ? AND id > ? ORDER BY id LIMIT ?",
            new Object[] {BuildingGraph.ROOM, after, 1000}});
        String prefix = kind.equals("sqlite") ? "EXPLAIN QUERY PLAN " : "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ";
        try (Connection c = kind.equals("sqlite") ? DriverManager.getConnection(url)
                : DriverManager.getConnection(url, EmbeddedPostgresServer.USER, EmbeddedPostgresServer.PASSWORD)) {
            for (Object[] v : variants) {
                Stats t = new Stats();
                int rows = 0;
                for (int i = 0; i < 40; i++) {
                    long start = System.nanoTime();
                    rows = 0;
                    try (var ps = c.prepareStatement((String) v[1])) {
                        bind(ps, (Object[]) v[2]);
                        try (var rs = ps.executeQuery()) {
                            int width = rs.getMetaData().getColumnCount();
                            while (rs.next()) {
                                rows++;
                                for (int col = 1; col <= width; col++) {
                                    rs.getString(col);
                                }
                            }
                        }
                    }
                    if (i >= 10) {
                        t.add(System.nanoTime() - start);
                    }
                }
                System.out.println(kind + " raw JDBC, " + v[0] + ": " + rows + " rows, p50 "
                        + Stats.ms(t.percentileMs(50)) + " ms");
                try (var ps = c.prepareStatement(prefix + v[1])) {
                    bind(ps, (Object[]) v[2]);
                    try (var rs = ps.executeQuery()) {
                        int width = rs.getMetaData().getColumnCount();
                        while (rs.next()) {
                            System.out.println("    " + rs.getString(width));
                        }
                    }
                }
            }
        }
    }

    private static void bind(java.sql.PreparedStatement ps, Object[] args) throws java.sql.SQLException {
        for (int i = 0; i < args.length; i++) {
            ps.setObject(i + 1, args[i]);
        }
    }

    private static void load(TwinStore store) {
        long start = System.nanoTime();
        List<StoredTwin> twins = new ArrayList<>(BATCH);
        int[] count = {0, 0};
        BuildingGraph.twins(t -> {
            twins.add(t);
            if (twins.size() == BATCH) {
                writeTwins(store, twins);
            }
            count[0]++;
        });
        writeTwins(store, twins);
        long twinsDone = System.nanoTime();
        List<StoredRelationship> rels = new ArrayList<>(BATCH);
        BuildingGraph.relationships(r -> {
            rels.add(r);
            if (rels.size() == BATCH) {
                writeRelationships(store, rels);
            }
            count[1]++;
        });
        writeRelationships(store, rels);
        long end = System.nanoTime();
        System.out.printf(Locale.ROOT, "%s: loaded %,d twins in %.1f s (%,.0f rows/s), %,d relationships in %.1f s"
                + " (%,.0f rows/s), batches of %d rows per write unit%n", store.kind(), count[0],
                (twinsDone - start) / 1e9, count[0] / ((twinsDone - start) / 1e9), count[1], (end - twinsDone) / 1e9,
                count[1] / ((end - twinsDone) / 1e9), BATCH);
    }

    private static void writeTwins(TwinStore store, List<StoredTwin> batch) {
        store.write(tx -> {
            batch.forEach(tx::insertTwin);
            return null;
        });
        batch.clear();
    }

    private static void writeRelationships(TwinStore store, List<StoredRelationship> batch) {
        store.write(tx -> {
            batch.forEach(tx::insertRelationship);
            return null;
        });
        batch.clear();
    }

    private static final class Result {
        final Stats whole = new Stats();
        final Stats page = new Stats();
        int rows;
        int pages;
    }

    /** Fetches one page: a {@link QueryPage} in-process, the reply body over HTTP. */
    @FunctionalInterface
    private interface QueryRunner {
        Object fetch(String query, String token) throws Exception;
    }

    private static Result measure(Spec spec, QueryRunner runner) throws Exception {
        Result result = new Result();
        for (int i = 0; i < spec.warmup() + spec.reps(); i++) {
            boolean counted = i >= spec.warmup();
            String query = spec.query().apply(spec.subject().get());
            String token = null;
            int rows = 0;
            int pages = 0;
            long wholeNanos = 0;
            do {
                long start = System.nanoTime();
                Object page = runner.fetch(token == null ? query : null, token);
                long took = System.nanoTime() - start;
                wholeNanos += took;
                pages++;
                if (page instanceof QueryPage p) {
                    rows += p.items().size();
                    token = p.continuationToken();
                } else {
                    JsonNode body = Json.parse((String) page);
                    rows += body.path("value").size();
                    JsonNode next = body.path("continuationToken");
                    token = next.isTextual() ? next.asText() : null;
                }
                if (counted) {
                    result.page.add(took);
                }
            } while (token != null);
            if (counted) {
                result.whole.add(wholeNanos);
                result.rows = rows;
                result.pages = pages;
            }
        }
        return result;
    }

    /** Returns the reply body; the caller parses it outside the timed section. */
    private static String overHttp(RawHttp client, String query, String token) throws Exception {
        ObjectNode body = Json.object();
        if (query != null) {
            body.put("query", query);
        } else {
            body.put("continuationToken", token);
        }
        RawHttp.Reply reply = client.send("POST", "/query?api-version=2023-10-31", "application/json",
                Json.write(body));
        if (reply.status() != 200) {
            throw new IllegalStateException("POST /query answered " + reply.status() + ": " + reply.body());
        }
        return reply.body();
    }

    private static String row(String kind, Spec spec, Result r) {
        return String.format(Locale.ROOT, "| %s | %s | %d | %d | %d | %s | %s | %s | %s |", kind, spec.name(),
                r.rows, r.pages, spec.reps(), Stats.ms(r.whole.percentileMs(50)), Stats.ms(r.whole.percentileMs(99)),
                Stats.ms(r.page.percentileMs(50)), Stats.ms(r.page.percentileMs(99)));
    }
}
