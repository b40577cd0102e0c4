package io.twingress.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Throws thousands of broken queries and tokens at the engine: every one must give a page or a
 * {@link QueryException}, never another exception (which the API would turn into a 500). Rewrites that keep a
 * query's meaning must give its exact result, so an engine that refused everything would fail here.
 */
class QueryFuzzTest {

    private static final String ROOM = QueryConformanceSuite.ROOM;
    /**
     * Queries over the building with the number of rows each returns (for {@code COUNT()}, the count), worked out
     * from the building's data; each is also a seed for the mutators.
     */
    private static final List<Map.Entry<String, Integer>> COUNTED = List.of(
            Map.entry("SELECT * FROM DIGITALTWINS", 10),
            // room11 (70) and room12 (75.5); room22's "warm" is no number
            Map.entry("SELECT * FROM DIGITALTWINS WHERE Temperature > 69", 2),
            // room11 and room21: the conference rooms are only derived from Room
            Map.entry("SELECT TOP(3) T FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + ROOM + "', exact)", 2),
            // no twin defines x
            Map.entry("SELECT COUNT() FROM DIGITALTWINS T WHERE T.name NIN ['a', 'b'] OR NOT IS_DEFINED(T.x)", 10),
            Map.entry("SELECT T.name AS n, T.lighting.brightness FROM DIGITALTWINS T WHERE T.location.floor = 2", 1),
            Map.entry("SELECT * FROM DIGITALTWINS T WHERE T.name = 'O\\'Brien\\'s room' AND STARTSWITH(T.name, \"O\")", 1),
            Map.entry("SELECT * FROM DIGITALTWINS T WHERE ARRAY_CONTAINS(T.tags, 'quiet') AND IS_NUMBER(T.Temperature)", 1),
            // room12 (2024-03-01) and room21 (2024-01-15)
            Map.entry("SELECT * FROM DIGITALTWINS T WHERE T.$metadata.Temperature.lastUpdateTime > '2024-01-10'", 2),
            Map.entry("SELECT F, R, Rel FROM DIGITALTWINS F JOIN R RELATED F.contains Rel WHERE F.$dtId = 'floor1' AND Rel.ownershipUser = 'Contoso'", 1),
            // room11's and room21's thermostats
            Map.entry("SELECT F, R, D FROM DIGITALTWINS F JOIN R RELATED F.contains JOIN D RELATED R.hasDevice WHERE F.$dtId IN ['floor1', 'floor2']", 2),
            Map.entry("SELECT * FROM RELATIONSHIPS R WHERE R.$sourceId = 'floor1' AND R.$relationshipName IN ['contains']", 2),
            // f1-r11 and f2-r21; an undefined x is not null
            Map.entry("SELECT R.$targetId AS t FROM RELATIONSHIPS R WHERE (R.ownershipUser = 'Contoso' OR IS_NULL(R.x))", 2));
    private static final List<String> CORPUS = Stream.concat(COUNTED.stream().map(Map.Entry::getKey), Stream.of(
            "SELECT a, b FROM DIGITALTWINS MATCH (a)-[*1..3]-(b) WHERE a.$dtId = 'building1'",
            "SELECT r, x FROM DIGITALTWINS MATCH (r)-[rel:hasDevice|isAssociatedWith]->(x)<-[]-(y) WHERE r.$dtId = 'room11'",
            "SELECT * FROM RELATIONSHIPS R WHERE R.$targetId IN ['room22', 'floor2']",
            "SELECT a, b, r FROM DIGITALTWINS MATCH (a)-[]-(b)<-[r]-(c)-[*..2]->(d) WHERE a.$dtId = 'floor2'"))
            .toList();
    private static final String[] FRAGMENTS = {"SELECT", "FROM", "WHERE", "JOIN", "RELATED", "MATCH", "AND", "OR",
            "NOT", "IN", "NIN", "TOP(", "COUNT()", "*", "(", ")", "[", "]", "-", "->", "<-", "..", "*..", ":", "|",
            ",", ".", "'", "\"", "\\", "=", "!=", "<=", ">=", "$dtId", "T", "IS_OF_MODEL(", "exact", "ORDER BY",
            "1e", "-0", "99999999999999999999", "1e400", "-1e9999999999", "1e-400", "< 1e308 * 10", "\u00e9", "\uD83D\uDE00", "\u0000", "\n", "\t"};

    private static final InMemoryGraphSource SOURCE = new InMemoryGraphSource();
    private static final QueryEngine ENGINE = new QueryEngine(SOURCE, QueryConformanceSuite.MAPPER, QueryConformanceSuite.LIMITS, Clock.systemUTC());
    /** Ends pages after two rows read, so its tokens resume inside scans and patterns, not only after rows. */
    private static final QueryEngine FRUGAL = new QueryEngine(SOURCE, QueryConformanceSuite.MAPPER,
            new QueryLimits(2, 200_000, Duration.ofSeconds(10)), Clock.systemUTC());

    @BeforeAll
    static void loadBuilding() {
        QueryConformanceSuite.buildingModels().forEach(SOURCE::addModel);
        QueryConformanceSuite.buildingTwins().forEach(SOURCE::putTwin);
        QueryConformanceSuite.buildingRelationships().forEach(SOURCE::putRelationship);
    }

    @Test
    void mutatedQueriesGiveAPageOrAQueryException() {
        Random random = new Random(20240611L);
        for (int i = 0; i < 6000; i++) {
            String query = mutate(CORPUS.get(random.nextInt(CORPUS.size())), random);
            run(query, random);
        }
    }

    @Test
    void equivalentRewritesOfValidQueriesAllSucceedWithTheExactCount() {
        for (Map.Entry<String, Integer> counted : COUNTED) {
            assertThat(count(counted.getKey(), 1000)).as(counted.getKey()).isEqualTo(counted.getValue());
        }
        Random random = new Random(31L);
        for (int i = 0; i < 3000; i++) {
            Map.Entry<String, Integer> counted = COUNTED.get(random.nextInt(COUNTED.size()));
            String query = EquivalentQueries.rewrite(counted.getKey(), random);
            try {
                assertThat(count(query, 1 + random.nextInt(4))).as(query).isEqualTo(counted.getValue());
            } catch (QueryException e) {
                fail("<" + query + ">, a rewrite of <" + counted.getKey() + ">, was refused: " + e.getMessage(), e);
            }
        }
    }

    @Test
    void randomTextAndExtremeShapesGiveAPageOrAQueryException() {
        Random random = new Random(7L);
        for (int i = 0; i < 1000; i++) {
            StringBuilder text = new StringBuilder();
            int length = random.nextInt(200);
            for (int j = 0; j < length; j++) {
                text.append(random.nextInt(4) == 0 ? FRAGMENTS[random.nextInt(FRAGMENTS.length)] + " "
                        : String.valueOf(Character.toChars(random.nextInt(0x2FFFF))));
            }
            run(text.toString(), random);
        }
        String where = "SELECT * FROM DIGITALTWINS WHERE ";
        run(where + "(".repeat(100_000), random);
        run(where + "NOT ".repeat(1990) + "a = 1", random);
        run(where + "a IN [" + "'x',".repeat(1990) + "'x']", random);
        run(where + "a = 1 AND ".repeat(700) + "b = 2", random);
        run("SELECT b FROM DIGITALTWINS MATCH (a)" + "-[]->(b)".repeat(900) + " WHERE a.$dtId = 'x'", random);
        run(where + "a = '" + "'".repeat(10_000), random);
    }

    @Test
    void mutatedContinuationTokensGiveAPageOrAQueryException() {
        Random random = new Random(99L);
        List<String> tokens = new ArrayList<>();
        for (String query : CORPUS) {
            for (QueryEngine engine : List.of(ENGINE, FRUGAL)) {
                String token = engine.execute(query, null, 1).continuationToken();
                // a few pages in, where tokens resume deeper inside a pattern
                for (int page = 0; page < 3 && token != null; page++) {
                    tokens.add(token);
                    token = engine.execute(null, token, 1).continuationToken();
                }
            }
        }
        for (int i = 0; i < 3000; i++) {
            char[] token = tokens.get(random.nextInt(tokens.size())).toCharArray();
            int edits = 1 + random.nextInt(3);
            for (int e = 0; e < edits; e++) {
                token[random.nextInt(token.length)] = (char) (32 + random.nextInt(95));
            }
            String mutated = new String(token);
            try {
                (random.nextBoolean() ? ENGINE : FRUGAL).execute(null, mutated, 1 + random.nextInt(3));
            } catch (QueryException expected) {
                // a rejected token is a correct outcome
            } catch (RuntimeException | StackOverflowError e) {
                fail("token " + mutated + " threw " + e, e);
            }
        }
    }

    private static void run(String query, Random random) {
        QueryEngine engine = random.nextBoolean() ? ENGINE : FRUGAL;
        try {
            QueryPage page = engine.execute(query, null, 1 + random.nextInt(4));
            for (int pages = 0; pages < 3 && page.continuationToken() != null; pages++) {
                page = engine.execute(null, page.continuationToken(), 1 + random.nextInt(4));
            }
        } catch (QueryException expected) {
            // a rejected query is a correct outcome
        } catch (RuntimeException | StackOverflowError e) {
            fail("query <" + query + "> threw " + e, e);
        }
    }

    /** Rows over every page, or the value of a {@code COUNT()} row. */
    private static int count(String query, int pageSize) {
        QueryPage page = ENGINE.execute(query, null, pageSize);
        List<JsonNode> rows = new ArrayList<>(page.items());
        while (page.continuationToken() != null) {
            page = ENGINE.execute(null, page.continuationToken(), pageSize);
            rows.addAll(page.items());
        }
        if (rows.size() == 1 && rows.get(0).has("COUNT")) {
            return rows.get(0).get("COUNT").asInt();
        }
        return rows.size();
    }

    private static String mutate(String query, Random random) {
        String mutated = query;
        int edits = 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            List<String> tokens = new ArrayList<>(List.of(mutated.split(" ", -1)));
            int at = random.nextInt(mutated.length() + 1);
            int token = random.nextInt(tokens.size());
            mutated = switch (random.nextInt(8)) {
                case 0 -> at < mutated.length() ? mutated.substring(0, at) + mutated.substring(at + 1) : mutated;
                case 1 -> mutated.substring(0, at) + (char) (32 + random.nextInt(95)) + mutated.substring(at);
                case 2 -> at + 1 < mutated.length() ? mutated.substring(0, at) + mutated.charAt(at + 1)
                        + mutated.charAt(at) + mutated.substring(at + 2) : mutated;
                case 3 -> {
                    tokens.remove(token);
                    yield String.join(" ", tokens);
                }
                case 4 -> {
                    tokens.add(token, FRAGMENTS[random.nextInt(FRAGMENTS.length)]);
                    yield String.join(" ", tokens);
                }
                case 5 -> {
                    tokens.set(token, tokens.set(random.nextInt(tokens.size()), tokens.get(token)));
                    yield String.join(" ", tokens);
                }
                case 6 -> mutated.substring(0, at) + new String(Character.toChars(random.nextInt(0x10FFFF) & ~0xF800 | 0x80))
                        + mutated.substring(at);
                default -> mutated.substring(0, at) + mutated.substring(at).toLowerCase();
            };
        }
        return mutated;
    }
}
