package io.twingress.model;

import static io.twingress.model.TestModels.json;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.Json;
import io.twingress.query.QueryEngine;
import io.twingress.query.QueryLimits;
import io.twingress.query.StoreGraphSource;
import io.twingress.store.PostgresTwinStore;
import io.twingress.store.SharedPostgres;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredModel;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;

/**
 * Two Twingress instances sharing one PostgreSQL database, each with its own store and model catalogue: what one
 * changes the other sees, and racing changes leave a model set in which every reference resolves.
 */
class PostgresModelServiceIT {

    private static final String ROOT = "dtmi:race:Root;1";

    private final List<TwinStore> stores = new ArrayList<>();
    private String database;
    private TwinStore storeA;
    private TwinStore storeB;
    private ModelService a;
    private ModelService b;

    @BeforeEach
    void openTwoInstances() {
        database = SharedPostgres.createDatabase();
        storeA = openStore();
        storeB = openStore();
        a = new ModelService(storeA);
        b = new ModelService(storeB);
    }

    @AfterEach
    void close() {
        stores.forEach(TwinStore::close);
    }

    private TwinStore openStore() {
        TwinStore store = new PostgresTwinStore(database, SharedPostgres.USER, SharedPostgres.PASSWORD, 4);
        stores.add(store);
        return store;
    }

    private static JsonNode iface(String id, String body) {
        return json("{'@context':'dtmi:dtdl:context;2','@id':'" + id + "','@type':'Interface'"
                + (body.isEmpty() ? "" : "," + body) + "}");
    }

    private static List<String> ids(List<ModelService.Entry> entries) {
        return entries.stream().map(e -> e.model().id()).toList();
    }

    @Test
    void anUploadDecommissionOrDeleteThroughOneInstanceIsSeenByTheOther() {
        String base = "dtmi:shared:Base;1";
        String derived = "dtmi:shared:Derived;1";
        assertThat(b.list(null)).as("b has loaded its catalogue before a changes anything").isEmpty();

        a.upload(List.of(iface(base, "'contents':[{'@type':'Property','name':'p','schema':'string'}]"),
                iface(derived, "'extends':'" + base + "'")));
        storeA.write(tx -> {
            tx.insertTwin(new StoredTwin("t1", derived, "W/\"1\"",
                    "{\"$dtId\":\"t1\",\"$etag\":\"W/\\\"1\\\"\",\"$metadata\":{\"$model\":\"" + derived + "\"}}"));
            return null;
        });

        assertThat(b.get(derived).model().ancestors()).containsExactly(base);
        assertThat(b.modelAndDerived(base)).containsExactlyInAnyOrder(base, derived);
        QueryEngine queries = new QueryEngine(new StoreGraphSource(storeB, b), Json.MAPPER,
                new QueryLimits(10_000, 200_000, Duration.ofSeconds(10)), Clock.systemUTC());
        assertThat(queries.execute("SELECT T.$dtId FROM DIGITALTWINS T WHERE IS_OF_MODEL(T, '" + base + "')",
                null, 0).items()).extracting(row -> row.get("$dtId").asText()).containsExactly("t1");

        a.decommission(derived);
        assertThat(b.get(derived).stored().decommissioned()).isTrue();
        assertThat(b.get(base).stored().decommissioned()).isFalse();

        a.delete(derived);
        assertThat(b.find(derived)).isNull();
        assertThat(b.modelAndDerived(base)).containsExactly(base);
        assertThat(ids(b.list(null))).containsExactly(base);
        TestModels.assertAdtError(() -> b.delete(derived), 404, "ModelNotFound", derived);

        b.upload(List.of(iface(derived, "'extends':'" + base + "'")));
        assertThat(a.modelAndDerived(base)).as("and the other way round").containsExactlyInAnyOrder(base, derived);
    }

    /**
     * Each round stores a base, then one instance uploads a model that extends it (or, every other round, uses it as
     * a component) while the other deletes the base. Exactly one of the two may win, and the loser gets ADT's error.
     */
    @Test
    @Timeout(120)
    void racingAnUploadAgainstADeleteOfItsBaseNeverLeavesAnOrphan() throws Exception {
        int rounds = 40;
        a.upload(List.of(iface(ROOT, "")));
        int uploadsWon = 0;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                String base = "dtmi:race:Base" + round + ";1";
                String dependent = "dtmi:race:Dependent" + round + ";1";
                a.upload(List.of(iface(base, "'extends':'" + ROOT + "',"
                        + "'contents':[{'@type':'Property','name':'p" + round + "','schema':'double'}]")));
                JsonNode uses = round % 2 == 0
                        ? iface(dependent, "'extends':'" + base + "'")
                        : iface(dependent, "'contents':[{'@type':'Component','name':'c','schema':'" + base + "'}]");
                CyclicBarrier start = new CyclicBarrier(2);
                Future<AdtException> upload = pool.submit(() -> outcome(start, () -> b.upload(List.of(uses))));
                Future<AdtException> delete = pool.submit(() -> outcome(start, () -> a.delete(base)));
                AdtException uploadFailure = upload.get();
                AdtException deleteFailure = delete.get();

                assertThat(uploadFailure == null ^ deleteFailure == null)
                        .as("round %d: exactly one of upload (%s) and delete (%s) succeeds", round, uploadFailure,
                                deleteFailure)
                        .isTrue();
                if (uploadFailure == null) {
                    uploadsWon++;
                    assertThat(deleteFailure.error()).isEqualTo(AdtError.MODEL_REFERENCES_NOT_DELETED);
                    assertThat(deleteFailure.getMessage()).contains(base, dependent);
                } else {
                    assertThat(uploadFailure.error()).isEqualTo(AdtError.DTDL_PARSER_ERROR);
                    assertThat(uploadFailure.getMessage()).contains(dependent, base);
                }
            }
        } finally {
            pool.shutdownNow();
        }

        List<StoredModel> rows = storeA.read(StoreTx::models);
        Set<String> stored = new HashSet<>(rows.stream().map(StoredModel::id).toList());
        for (StoredModel row : rows) {
            assertThat(stored).as("what %s references", row.id()).containsAll(references(Json.parse(row.definition())));
        }
        assertThat(rows).as("the root, and the base with its dependent from each round the upload won")
                .hasSize(1 + 2 * uploadsWon);

        ModelService fresh = new ModelService(openStore());
        List<String> expected = rows.stream().map(StoredModel::id).toList();
        assertThat(ids(fresh.list(null))).as("a fresh instance loads every stored model").isEqualTo(expected);
        assertThat(ids(a.list(null))).isEqualTo(expected);
        assertThat(ids(b.list(null))).isEqualTo(expected);
        for (String id : expected) {
            assertThat(a.modelAndDerived(id)).as("IS_OF_MODEL('%s') on a", id).isEqualTo(fresh.modelAndDerived(id));
            assertThat(b.modelAndDerived(id)).as("IS_OF_MODEL('%s') on b", id).isEqualTo(fresh.modelAndDerived(id));
        }
        Map<String, JsonNode> definitions = new HashMap<>();
        rows.forEach(row -> definitions.put(row.id(), Json.parse(row.definition())));
        assertThat(b.modelAndDerived(ROOT)).as("the surviving bases and what extends them")
                .containsExactlyInAnyOrderElementsOf(expected.stream()
                        .filter(id -> extendsTransitively(definitions, id, ROOT)).toList());
    }

    private static boolean extendsTransitively(Map<String, JsonNode> definitions, String id, String base) {
        if (id.equals(base)) {
            return true;
        }
        JsonNode parent = definitions.get(id).path("extends");
        return parent.isTextual() && extendsTransitively(definitions, parent.asText(), base);
    }

    /** Null when the call succeeded, else its ADT error; both calls start together. */
    private static AdtException outcome(CyclicBarrier start, Runnable call) throws Exception {
        start.await();
        try {
            call.run();
            return null;
        } catch (AdtException e) {
            return e;
        }
    }

    /** Read from the stored JSON itself, not through a parser that could drop what does not resolve. */
    private static Set<String> references(JsonNode definition) {
        Set<String> ids = new HashSet<>();
        JsonNode extendsNode = definition.path("extends");
        if (extendsNode.isTextual()) {
            ids.add(extendsNode.asText());
        }
        extendsNode.forEach(e -> ids.add(e.asText()));
        for (JsonNode content : definition.path("contents")) {
            if ("Component".equals(content.path("@type").asText())) {
                ids.add(content.path("schema").asText());
            }
        }
        return ids;
    }
}
