package io.twingress.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** How the engine plans and pages, seen through what it asks of the {@link GraphSource}. */
class QueryEngineTest {

    private final InMemoryGraphSource source = new InMemoryGraphSource();
    private final QueryEngine engine = new QueryEngine(source, QueryConformanceSuite.MAPPER, QueryConformanceSuite.LIMITS, Clock.systemUTC());

    @BeforeEach
    void loadBuilding() {
        QueryConformanceSuite.buildingModels().forEach(source::addModel);
        QueryConformanceSuite.buildingTwins().forEach(source::putTwin);
        QueryConformanceSuite.buildingRelationships().forEach(source::putRelationship);
    }

    @Test
    void pinnedDtIdsAreLookedUpNotScanned() {
        engine.execute("SELECT * FROM DIGITALTWINS T WHERE T.$dtId IN ['room11', 'room12'] AND T.Temperature > 0", null, 10);
        engine.execute("SELECT F, R FROM DIGITALTWINS F JOIN R RELATED F.contains WHERE F.$dtId = 'floor1'", null, 10);
        engine.execute("SELECT a, b FROM DIGITALTWINS MATCH (a)-[*..3]-(b) WHERE b.$dtId = 'room21'", null, 10);
        assertThat(source.scanHints()).isEmpty();
    }

    @Test
    void isOfModelNarrowsTheScan() {
        engine.execute("SELECT * FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + QueryConformanceSuite.ROOM
                + "') AND T.Temperature > 68", null, 10);
        engine.execute("SELECT * FROM DIGITALTWINS WHERE IS_OF_MODEL('" + QueryConformanceSuite.ROOM + "', exact)", null, 10);
        engine.execute("SELECT * FROM DIGITALTWINS WHERE Temperature > 68", null, 10);
        assertThat(source.scanHints()).containsExactly(
                Set.of(QueryConformanceSuite.ROOM, QueryConformanceSuite.CONFERENCE_ROOM),
                Set.of(QueryConformanceSuite.ROOM), null);
    }

    @Test
    void countUsesTheStoreCountWhenNothingElseFilters() {
        engine.execute("SELECT COUNT() FROM DIGITALTWINS", null, 10);
        engine.execute("SELECT COUNT() FROM DIGITALTWINS WHERE IS_OF_MODEL('" + QueryConformanceSuite.ROOM + "')", null, 10);
        assertThat(source.countCalls()).isEqualTo(2);
        assertThat(source.scanHints()).isEmpty();
    }

    @Test
    void pagesStreamThroughTheStoreInsteadOfReadingEverything() {
        for (int i = 0; i < 2500; i++) {
            ObjectNode twin = QueryConformanceSuite.newTwin(String.format("t%05d", i));
            twin.put("n", i);
            source.putTwin(twin);
        }
        // a bounded predicate reads page-sized chunks (the store may apply the bound): the building's 8 twins
        // before t00000 fill part of the first one
        QueryPage page = engine.execute("SELECT * FROM DIGITALTWINS WHERE n >= 0", null, 10);
        assertThat(page.items()).hasSize(10);
        assertThat(source.scanHints()).hasSize(2);

        // an equality is no range the store could apply, so the 2510 twins are read in chunks of 1000: three reads
        QueryPage last = engine.execute("SELECT * FROM DIGITALTWINS WHERE n = 2499", null, 10);
        assertThat(last.items()).extracting(t -> t.get("$dtId").asText()).containsExactly("t02499");
        assertThat(source.scanHints()).hasSize(2 + 3);
        assertThat(last.charge()).isGreaterThan(page.charge());
    }

    @Test
    void pageSizeIsCappedAtAdtsLimit() {
        for (int i = 0; i < 1200; i++) {
            source.putTwin(QueryConformanceSuite.newTwin(String.format("t%05d", i)));
        }
        // 1210 twins (1200 and the building's 10) and ADT's limit of 1000 rows a page: 1000, then 210
        QueryPage capped = engine.execute("SELECT * FROM DIGITALTWINS", null, 5000);
        assertThat(capped.items()).hasSize(1000);
        assertThat(capped.continuationToken()).isNotNull();
        assertThat(engine.execute("SELECT * FROM DIGITALTWINS", null, 0).items()).hasSize(1000);
        QueryPage rest = engine.execute(null, capped.continuationToken(), 5000);
        assertThat(rest.items()).hasSize(210);
        assertThat(rest.continuationToken()).isNull();
    }

    @Test
    void chargeGrowsWithRowsScannedAndReturned() {
        double pinned = engine.execute("SELECT * FROM DIGITALTWINS WHERE $dtId = 'room11'", null, 10).charge();
        double scan = engine.execute("SELECT * FROM DIGITALTWINS WHERE $dtId != 'room11'", null, 100).charge();
        double nothing = engine.execute("SELECT * FROM DIGITALTWINS WHERE $dtId = 'nobody'", null, 10).charge();
        assertThat(nothing).isPositive().isLessThan(pinned);
        assertThat(pinned).isLessThan(scan);
    }

    @Test
    void limitsThatCouldNotWorkAreRejected() {
        assertThatThrownBy(() -> new QueryLimits(0, 10, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("scanBudget must be at least 1 but is 0");
        // a cost budget below the scan budget would refuse scans that could have paged
        assertThatThrownBy(() -> new QueryLimits(100, 99, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("costBudget must be at least scanBudget (100) but is 99");
        assertThatThrownBy(() -> new QueryLimits(1, 1, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive but is PT0S");
        assertThat(new QueryLimits(1, 1, Duration.ofMillis(1)).costBudget()).isEqualTo(1);
    }

    @Test
    void requestNeedsExactlyOneOfQueryAndToken() {
        assertThatThrownBy(() -> engine.execute(null, null, 10)).isInstanceOf(QueryException.class)
                .hasMessageContaining("expected exactly one of query and continuationToken");
        assertThatThrownBy(() -> engine.execute("SELECT * FROM DIGITALTWINS", "x", 10))
                .isInstanceOf(QueryException.class)
                .hasMessageContaining("expected exactly one of query and continuationToken");
    }

    @Test
    void damagedOrForgedTokensAreRejected() {
        String token = engine.execute("SELECT * FROM DIGITALTWINS", null, 2).continuationToken();
        assertThat(engine.execute(null, token, 2).items()).extracting(t -> t.get("$dtId").asText())
                .containsExactly("floor2", "lobby");
        char[] flipped = token.toCharArray();
        flipped[token.length() / 2] = flipped[token.length() / 2] == 'A' ? 'B' : 'A';
        String forged = Base64.getUrlEncoder().encodeToString(
                "{\"q\":\"SELECT * FROM DIGITALTWINS\",\"k\":[\"room\"],\"n\":0,\"c\":1}".getBytes(StandardCharsets.UTF_8));
        for (String bad : List.of(new String(flipped), "", "%%%", "e30", token.substring(0, token.length() - 3), forged)) {
            assertThatThrownBy(() -> engine.execute(null, bad, 2)).as(bad).isInstanceOf(QueryException.class)
                    .hasMessageContaining("Invalid continuation token at position 1");
        }
    }
}
