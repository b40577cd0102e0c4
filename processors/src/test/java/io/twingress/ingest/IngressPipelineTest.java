package io.twingress.ingest;

import static io.twingress.model.TestModels.ROOM;
import static io.twingress.model.TestModels.SPACE;
import static io.twingress.model.TestModels.THERMOSTAT;
import static io.twingress.model.TestModels.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.twingress.Json;
import io.twingress.model.ModelService;
import io.twingress.model.TestModels;
import io.twingress.store.IngressDeadLetterRow;
import io.twingress.store.SqliteTwinStore;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredTwin;
import io.twingress.twin.ChangeLog;
import io.twingress.twin.RelationshipOperations;
import io.twingress.twin.Speculation;
import io.twingress.twin.TwinModels;
import io.twingress.twin.TwinOperations;

/** The twin-update entry point on the embedded store: mapping, coercion, duplicates, dead letters, rules, propagation. */
class IngressPipelineTest {

    @TempDir
    Path dir;

    private SqliteTwinStore store;
    private DefaultCamelContext context;
    private TwinOperations twins;
    private RelationshipOperations relationships;
    private Path rulesPath;
    private RulesFile rules;
    private IngressPipeline pipeline;
    private TwinModels twinModels;
    private final List<String> telemetry = new CopyOnWriteArrayList<>();
    private final List<String> telemetryTimes = new CopyOnWriteArrayList<>();

    @BeforeEach
    void open() throws Exception {
        store = new SqliteTwinStore(dir.resolve("twins.db"), "NORMAL");
        ModelService models = new ModelService(store);
        models.upload(TestModels.all());
        twinModels = new TwinModels(models);
        context = new DefaultCamelContext();
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:twin-telemetry").process(e -> {
                    telemetry.add(e.getMessage().getHeader(TelemetryHeaders.TWIN_ID) + " "
                            + e.getMessage().getBody(String.class));
                    telemetryTimes.add(e.getMessage().getHeader(TelemetryHeaders.SOURCE_TIME, String.class));
                });
            }
        });
        context.start();
        rulesPath = dir.resolve("rules.yaml");
        rules = new RulesFile(rulesPath, context);
        Propagator propagator = new Propagator(rules, twinModels);
        twins = new TwinOperations(store, twinModels, Clock.systemUTC(), ChangeLog.NONE.then(propagator));
        propagator.applyWith(twins);
        relationships = new RelationshipOperations(store, twinModels, propagator);
        pipeline = new IngressPipeline(store, twinModels, twins, rules, context.createProducerTemplate(),
                IngressMetrics.NONE, Clock.systemUTC(), new DeviceTwins(""), "");
        twins.put("r1", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{}}"), null);
    }

    @AfterEach
    void close() {
        context.stop();
        store.close();
    }

    private Exchange message(String source, String messageId, String device, String body, String sourceTime) {
        Exchange e = new DefaultExchange(context);
        e.getMessage().setHeader(IngressHeaders.SOURCE, source);
        e.getMessage().setHeader(IngressHeaders.MESSAGE_ID, messageId);
        e.getMessage().setHeader(IngressHeaders.DEVICE_ID, device);
        e.getMessage().setHeader(IngressHeaders.SOURCE_TIME, sourceTime);
        e.getMessage().setBody(body.getBytes(StandardCharsets.UTF_8));
        return e;
    }

    private Exchange batch(Exchange... messages) {
        Exchange carrier = new DefaultExchange(context);
        carrier.getMessage().setBody(new ArrayList<>(List.of(messages)));
        pipeline.apply(carrier);
        return carrier;
    }

    private List<IngressDeadLetterRow> deadLetters() {
        return store.read(tx -> tx.ingressDeadLetters(0, 100));
    }

    @Test
    void theDefaultMappingSetsPropertiesCoercedToTheirSchemaAndPublishesTelemetry() {
        batch(message("kafka:t", "1", "r1", "{'count':'3','label':'hall','comp1':{'cp':'1.5'},'temp':20.5,"
                .replace('\'', '"') + "\"other\":1}", "2026-01-01T00:00:00Z"));
        JsonNode r1 = twins.get("r1");
        assertThat(r1.get("count").isIntegralNumber()).isTrue();
        assertThat(r1.get("count").asInt()).isEqualTo(3);
        assertThat(r1.get("label").asText()).isEqualTo("hall");
        assertThat(r1.at("/comp1/cp").asDouble()).isEqualTo(1.5);
        assertThat(r1.at("/$metadata/count/sourceTime").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(r1.at("/comp1/$metadata/cp/sourceTime").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(telemetry).containsExactly("r1 {\"temp\":20.5}");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void theDefaultMappingTakesTheSourceTimeFromTheFieldSetForIt() {
        pipeline = new IngressPipeline(store, twinModels, twins, rules, context.createProducerTemplate(),
                IngressMetrics.NONE, Clock.systemUTC(), new DeviceTwins(""), "ts");
        batch(message("kafka:t", "1", "r1", "{\"count\":1,\"temp\":20.5,\"ts\":\"2026-05-06T09:08:09+02:00\"}",
                "2026-01-01T00:00:00Z"));
        JsonNode r1 = twins.get("r1");
        assertThat(r1.get("count").asInt()).isEqualTo(1);
        assertThat(r1.at("/$metadata/count/sourceTime").asText()).isEqualTo("2026-05-06T07:08:09Z");
        assertThat(r1.has("ts")).isFalse();
        // the telemetry of the same message has the same time, and the field is not telemetry
        assertThat(telemetry).containsExactly("r1 {\"temp\":20.5}");
        assertThat(telemetryTimes).containsExactly("2026-05-06T07:08:09Z");
        // epoch milliseconds, however the number is written
        batch(message("kafka:t", "2", "r1", "{\"count\":2,\"ts\":1.7726e12}", null));
        assertThat(twins.get("r1").at("/$metadata/count/sourceTime").asText()).isEqualTo("2026-03-04T04:53:20Z");
        // without it, the envelope's
        batch(message("kafka:t", "3", "r1", "{\"count\":3}", "2026-01-01T00:00:00Z"));
        assertThat(twins.get("r1").at("/$metadata/count/sourceTime").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(deadLetters()).isEmpty();
        // a time alone changes nothing; a time that is not one is refused with the message
        batch(message("kafka:t", "4", "r1", "{\"ts\":\"2026-05-06T07:08:09Z\"}", null),
                message("kafka:t", "5", "r1", "{\"count\":5,\"ts\":true}", null),
                message("kafka:t", "6", "r1", "{\"count\":6,\"ts\":1.5}", null),
                message("kafka:t", "7", "r1", "{\"count\":7,\"ts\":9223372036854775807}", null),
                message("kafka:t", "8", "r1", "{\"count\":8,\"ts\":\"garbage\"}", null));
        assertThat(deadLetters()).extracting(IngressDeadLetterRow::reason).satisfiesExactly(
                r -> assertThat(r).contains("nothing in the message"), r -> assertThat(r).contains("is not a time"),
                r -> assertThat(r).contains("1.5 is not a whole number of milliseconds"),
                r -> assertThat(r).contains("9223372036854775807 is not a whole number").contains("0001 to 9999"),
                r -> assertThat(r).startsWith("ts (twingress.ingress.sourceTimeField) 'garbage' is not an RFC"));
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(3);
    }

    @Test
    void aTwinIdPropertyThatIsNoPropertyNameIsRefused() {
        assertThatThrownBy(() -> new DeviceTwins("device id")).hasMessageContaining("must be a DTDL property name");
    }

    @Test
    void aDeviceIsFoundByTheTwinIdPropertyWhenOneIsSetAndFoundAgainWhenItMoves() {
        DeviceTwins byLabelTwins = new DeviceTwins("label");
        TwinOperations twins = new TwinOperations(store, twinModels, Clock.systemUTC(), byLabelTwins);
        IngressPipeline byLabel = new IngressPipeline(store, twinModels, twins, rules, context.createProducerTemplate(),
                IngressMetrics.NONE, Clock.systemUTC(), byLabelTwins, null);
        twins.put("r2", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{},'label':'dev-7'}"), null);
        Exchange carrier = new DefaultExchange(context);
        carrier.getMessage().setBody(new ArrayList<>(List.of(message("mqtt", "1", "dev-7", "{\"count\":1}", null))));
        byLabel.apply(carrier);
        assertThat(twins.get("r2").get("count").asInt()).isEqualTo(1);
        // the device's twin changes: the remembered one no longer has the label, so it is looked up again
        twins.patch("r2", json("[{'op':'replace','path':'/label','value':'dev-8'}]"), null, null);
        twins.patch("r1", json("[{'op':'add','path':'/label','value':'dev-7'}]"), null, null);
        carrier.getMessage().setBody(new ArrayList<>(List.of(message("mqtt", "2", "dev-7", "{\"count\":2}", null))));
        byLabel.apply(carrier);
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(2);
        assertThat(twins.get("r2").get("count").asInt()).isEqualTo(1);
        // a device id no twin has, and one two twins have, are refused with the reason
        twins.patch("r1", json("[{'op':'replace','path':'/label','value':'dev-6'}]"), null, null);
        twins.patch("r2", json("[{'op':'replace','path':'/label','value':'dev-6'}]"), null, null);
        carrier.getMessage().setBody(new ArrayList<>(List.of(message("mqtt", "3", "dev-9", "{\"count\":3}", null),
                message("mqtt", "4", "dev-6", "{\"count\":4}", null))));
        byLabel.apply(carrier);
        assertThat(deadLetters()).extracting(IngressDeadLetterRow::reason).containsExactly(
                "no twin has label 'dev-9' (the device id), and no rule matched",
                "twins r1 and r2 both have label 'dev-6' (the device id): make it unique");

        // a second twin takes the label of a device already found: its next message is refused, not applied to
        // the twin found before
        twins.patch("r2", json("[{'op':'replace','path':'/label','value':'dev-5'}]"), null, null);
        carrier.getMessage().setBody(new ArrayList<>(List.of(message("mqtt", "5", "dev-5", "{\"count\":5}", null))));
        byLabel.apply(carrier);
        assertThat(twins.get("r2").get("count").asInt()).isEqualTo(5);
        twins.patch("r1", json("[{'op':'replace','path':'/label','value':'dev-5'}]"), null, null);
        carrier.getMessage().setBody(new ArrayList<>(List.of(message("mqtt", "6", "dev-5", "{\"count\":6}", null))));
        byLabel.apply(carrier);
        assertThat(twins.get("r2").get("count").asInt()).isEqualTo(5);
        assertThat(deadLetters()).last().satisfies(d -> assertThat(d.reason()).isEqualTo(
                "twins r1 and r2 both have label 'dev-5' (the device id): make it unique"));
    }

    @Test
    void aUserRouteFromIngressMessageSeesEachMessageOfABatchAndMayRefuseIt() throws Exception {
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from(IngressPipeline.MESSAGE_STEP)
                        .filter(header("measured-at").isNotNull())
                            .setHeader(IngressHeaders.SOURCE_TIME, header("measured-at"))
                        .end()
                        .filter(header(IngressHeaders.DEVICE_ID).isEqualTo("blocked"))
                            .throwException(new IllegalStateException("blocked device"));
            }
        });
        Exchange measured = message("kafka:t", "s1", "r1", "{\"count\":1}", null);
        measured.getMessage().setHeader("measured-at", "2026-02-02T00:00:00Z");
        batch(measured, message("kafka:t", "s2", "blocked", "{\"count\":2}", null));
        assertThat(twins.get("r1").at("/$metadata/count/sourceTime").asText()).isEqualTo("2026-02-02T00:00:00Z");
        assertThat(deadLetters()).singleElement().satisfies(d -> assertThat(d.reason()).contains("blocked device"));
    }

    @Test
    void messagesForOneTwinInOneBatchApplyInOrder() {
        // each message's changes are worked out before the batch's units run; from the second on, the twin they
        // read has moved, so their units work them out again
        Exchange result = batch(message("kafka:t", "o1", "r1", "{\"count\":1,\"label\":\"first\"}", null),
                message("kafka:t", "o2", "r1", "{\"count\":2}", null),
                message("kafka:t", "o3", "r1", "{\"count\":3}", null));
        assertThat(result.getProperty(IngressPipeline.APPLIED)).isEqualTo(3);
        JsonNode r1 = twins.get("r1");
        assertThat(r1.get("count").asInt()).isEqualTo(3);
        assertThat(r1.get("label").asText()).isEqualTo("first");
    }

    @Test
    void aSpeculationIsReplayedOnlyIfWhatItReadIsUnchanged() {
        Speculation fresh = speculateCount(41);
        Speculation stale = speculateCount(42);
        assertThat(store.<Boolean>write(fresh::replay)).isTrue();
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(41);
        // the replay above changed r1's etag: the second was worked out on the twin before it, and writes nothing
        assertThat(store.<Boolean>write(stale::replay)).isFalse();
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(41);
        // nor does one worked out before the model set moved, though the twin has not
        Speculation beforeModels = speculateCount(43);
        store.write(StoreTx::lockModels);
        assertThat(store.<Boolean>write(beforeModels::replay)).isFalse();
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(41);
        // anything beyond twins and events cannot be worked out ahead: there is no speculation to replay
        assertThat(store.<Speculation>read(tx -> Speculation.run(tx, null, tx.modelsVersion(),
                spec -> spec.relationships(null, null, 10)))).isNull();
        // a twin read ahead for the batch is taken from there: here, as though it did not exist then
        Map<String, StoredTwin> readAhead = new HashMap<>();
        readAhead.put("r1", null);
        AtomicReference<StoredTwin> seen = new AtomicReference<>(new StoredTwin("x", "m", "e", "{}"));
        store.<Speculation>read(tx -> Speculation.run(tx, readAhead, tx.modelsVersion(),
                spec -> seen.set(spec.twinForUpdate("r1"))));
        assertThat(seen.get()).isNull();
        assertThat(store.<StoredTwin>read(tx -> tx.twin("r1"))).isNotNull();
    }

    private Speculation speculateCount(int count) {
        return store.read(tx -> Speculation.run(tx, null, tx.modelsVersion(), spec -> twins.upsert(spec,
                spec.twinForUpdate("r1"), json("[{'op':'add','path':'/count','value':" + count + "}]"))));
    }

    @Test
    void aBatchKeepsEachTwinsOrderWhetherItsMessagesAreReplayedTogetherOrWorkedOutAlone() {
        // m1 and m2 are replayed together (m2 found stale behind m1, and worked out again in its own unit); m3 is
        // refused, which ends the run replayed together; m4 and m5 go their own way, behind it
        Exchange carrier = batch(message("kafka:t", "m1", "r1", "{\"count\":1}", null),
                message("kafka:t", "m2", "r1", "{\"count\":2}", null),
                message("kafka:t", "m3", "r1", "{\"count\":\"many\"}", null),
                message("kafka:t", "m4", "r1", "{\"count\":4}", null),
                message("kafka:t", "m1", "r1", "{\"count\":5}", null));
        assertThat(carrier.getProperty(IngressPipeline.APPLIED)).isEqualTo(3);
        assertThat(carrier.getProperty(IngressPipeline.DUPLICATES)).isEqualTo(1);
        assertThat(carrier.getProperty(IngressPipeline.DEAD_LETTERED)).isEqualTo(1);
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(4);
        // the refused message's id was not kept: sent again (fixed), it is applied
        Exchange again = batch(message("kafka:t", "m3", "r1", "{\"count\":3}", null));
        assertThat(again.getProperty(IngressPipeline.APPLIED)).isEqualTo(1);
        // and the stale one's id was kept by its own unit: sent again, it is a duplicate
        assertThat(batch(message("kafka:t", "m2", "r1", "{\"count\":9}", null))
                .getProperty(IngressPipeline.DUPLICATES)).isEqualTo(1);
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(3);
    }

    @Test
    void aResentMessageIsDroppedPerSource() {
        Exchange first = batch(message("kafka:t", "m-1", "r1", "{\"count\":1}", null));
        Exchange resent = batch(message("kafka:t", "m-1", "r1", "{\"count\":2}", null),
                message("mqtt", "m-1", "r1", "{\"label\":\"other source\"}", null));
        assertThat(first.getProperty(IngressPipeline.APPLIED)).isEqualTo(1);
        assertThat(resent.getProperty(IngressPipeline.DUPLICATES)).isEqualTo(1);
        assertThat(resent.getProperty(IngressPipeline.APPLIED)).isEqualTo(1);
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(1);
        assertThat(twins.get("r1").get("label").asText()).isEqualTo("other source");
    }

    /** Over HTTP each device picks its own ids (IoT Hub's iothub-messageid): two that count from 1 are not duplicates. */
    @Test
    void overHttpAResentMessageIsDroppedPerDevice() {
        twins.put("r2", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{}}"), null);
        Exchange sent = batch(message("http:devices", "1", "r1", "{\"count\":1}", null),
                message("http:devices", "1", "r2", "{\"count\":2}", null));
        Exchange resent = batch(message("http:devices", "1", "r2", "{\"count\":3}", null),
                message("http:webhook:forms", "1", "r2", "{\"label\":\"webhook\"}", null));

        assertThat(sent.getProperty(IngressPipeline.APPLIED)).isEqualTo(2);
        assertThat(resent.getProperty(IngressPipeline.DUPLICATES)).isEqualTo(1);
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(1);
        assertThat(twins.get("r2").get("count").asInt()).isEqualTo(2);
        assertThat(twins.get("r2").get("label").asText()).isEqualTo("webhook");
    }

    @Test
    void refusedMessagesAreDeadLetteredWithTheirReasonAndTheRestOfTheBatchCommits() {
        Exchange result = batch(
                message("kafka:t", "a", "r1", "{\"count\":5}", null),
                message("kafka:t", "b", "ghost", "{\"count\":1}", null),
                message("kafka:t", "c", "r1", "{\"count\":\"many\"}", null),
                message("kafka:t", "d", "r1", "not json", null),
                message("kafka:t", "e", "r1", "{\"nothing\":1}", null),
                message("kafka:t", "f", "r1", "{\"label\":\"after the poison\"}", null));
        assertThat(result.getProperty(IngressPipeline.APPLIED)).isEqualTo(2);
        assertThat(result.getProperty(IngressPipeline.DEAD_LETTERED)).isEqualTo(4);
        JsonNode r1 = twins.get("r1");
        assertThat(r1.get("count").asInt()).isEqualTo(5);
        assertThat(r1.get("label").asText()).isEqualTo("after the poison");
        List<IngressDeadLetterRow> letters = deadLetters();
        assertThat(letters).extracting(IngressDeadLetterRow::messageId).containsExactly("b", "c", "d", "e");
        assertThat(letters.get(0).reason()).contains("twin ghost");
        assertThat(letters.get(1).reason()).startsWith("ValidationFailed");
        assertThat(letters.get(2).reason()).contains("not JSON");
        assertThat(letters.get(3).reason()).contains("nothing in the message");
        assertThat(Json.parse(letters.get(2).message()).get("body").asText()).isEqualTo("not json");
        // a refused message's id is not recorded: once fixed, the same message applies
        assertThat(batch(message("kafka:t", "b", "r1", "{\"count\":9}", null))
                .getProperty(IngressPipeline.APPLIED)).isEqualTo(1);
    }

    @Test
    void aReplayedLetterRefusedAgainKeepsItsIdAndCountsTheReplayWhileOneThatAppliesIsGone() {
        batch(message("kafka:t", "g", "ghost", "{\"count\":1}", null),
                message("kafka:t", "h", "r1", "{\"count\":\"many\"}", null));
        List<IngressDeadLetterRow> before = deadLetters();
        assertThat(before).extracting(IngressDeadLetterRow::replays).containsExactly(0, 0);
        assertThat(before).extracting(IngressDeadLetterRow::lastReplayed).containsOnlyNulls();
        IngressDeadLetters letters = new IngressDeadLetters(store, pipeline, context);

        twins.put("ghost", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{}}"), null);
        assertThat(letters.replay(null, 10)).isEqualTo(new IngressDeadLetters.Replayed(2, 1, 0, 1));
        IngressDeadLetterRow kept = deadLetters().get(0);
        assertThat(kept.id()).isEqualTo(before.get(1).id());
        assertThat(kept.received()).isEqualTo(before.get(1).received());
        assertThat(kept.replays()).isEqualTo(1);
        assertThat(kept.lastReplayed()).isNotNull();
        assertThat(kept.reason()).startsWith("ValidationFailed");
        assertThat(deadLetters()).hasSize(1);
        assertThat(twins.get("ghost").get("count").asInt()).isEqualTo(1);

        // the model is not changed, so a second replay refuses it again, still as the one letter
        assertThat(letters.replay(List.of(kept.id()), 10)).isEqualTo(new IngressDeadLetters.Replayed(1, 0, 0, 1));
        assertThat(deadLetters()).singleElement().satisfies(letter -> {
            assertThat(letter.id()).isEqualTo(kept.id());
            assertThat(letter.replays()).isEqualTo(2);
        });
    }

    @Test
    void aRuleMapsWhatTheDefaultMappingCannotAndABrokenFileKeepsThePreviousRules() throws Exception {
        Files.writeString(rulesPath, """
                mappings:
                  - id: by-source
                    match: "${header.TwingressIngressSource} == 'vendor'"
                    twin: "r1"
                    set:
                      label: "from the rule"
                      comp1/cp: "2.5"
                """);
        rules.reloadIfChanged();
        batch(message("vendor", "v1", "whatever", "{\"x\":1}", null));
        JsonNode r1 = twins.get("r1");
        assertThat(r1.get("label").asText()).isEqualTo("from the rule");
        assertThat(r1.at("/comp1/cp").asDouble()).isEqualTo(2.5);
        // another source does not match the rule, so the default mapping (and its refusal) applies
        batch(message("other", "o1", "whatever", "{\"x\":1}", null));
        assertThat(deadLetters()).hasSize(1);

        Files.writeString(rulesPath, "mappings: [ {id: broken, twin: ");
        assertThat(rules.reloadIfChanged()).isFalse();
        assertThat(rules.rules().mappings()).extracting(MappingRules.Mapping::id).containsExactly("by-source");
        // refused at the start, where there are no previous rules to keep
        assertThatThrownBy(() -> new RulesFile(rulesPath, context)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("twingress.ingress.rulesFile) is refused");
    }

    @Test
    void rulesNameTheEnvelopeByShortNamesAsHeadersAndVariables() throws Exception {
        twins.put("dev-7-room", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{}}"), null);
        Files.writeString(rulesPath, """
                mappings:
                  - id: vendor-x
                    match: "${header.source} == 'vendor'"
                    twin: "${header.deviceId}-room"
                    set:
                      label: "${variable.source}/${header.messageId}"
                """);
        assertThat(rules.reloadIfChanged()).isTrue();
        batch(message("vendor", "m1", "dev-7", "{\"payload\":{\"temp\":1}}", null));
        assertThat(twins.get("dev-7-room").get("label").asText()).isEqualTo("vendor/m1");
        // a header the connector sent under that name is the connector's, not replaced
        Exchange sent = message("vendor", "m2", "dev-7", "{\"payload\":{\"temp\":2}}", null);
        sent.getMessage().setHeader("DeviceId", "r1");
        Files.writeString(rulesPath, """
                mappings:
                  - id: vendor-x
                    match: "${header.source} == 'vendor'"
                    twin: "${header.deviceId}"
                    set:
                      label: "${variable.deviceId}"
                """);
        assertThat(rules.reloadIfChanged()).isTrue();
        batch(sent);
        assertThat(twins.get("r1").get("label").asText()).isEqualTo("dev-7");
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aRulesFileReplacedWithTheSameSizeAndTimeIsReadAgain() throws Exception {
        String rule = """
                mappings:
                  - id: rule-a
                    match: "${header.TwingressIngressSource} == 'vendor'"
                    twin: "r1"
                    set: { label: "a" }
                """;
        Files.writeString(rulesPath, rule);
        FileTime time = Files.getLastModifiedTime(rulesPath);
        assertThat(rules.reloadIfChanged()).isTrue();
        assertThat(rules.reloadIfChanged()).as("unchanged").isFalse();
        // what cp -p or rsync -a do: other bytes, the same length, the old time
        Files.writeString(rulesPath, rule.replace("rule-a", "rule-b").replace("\"a\"", "\"b\""));
        Files.setLastModifiedTime(rulesPath, time);
        assertThat(rules.reloadIfChanged()).isTrue();
        assertThat(rules.rules().mappings()).extracting(MappingRules.Mapping::id).containsExactly("rule-b");
    }

    /** JSONPath (camel-jsonpath) is not on this module's path: the rule reads headers with simple instead. */
    @Test
    void aRuleTakesItsSourceTimeFromTheMessage() throws Exception {
        Files.writeString(rulesPath, """
                mappings:
                  - id: timed
                    match: "${header.TwingressIngressSource} == 'vendor'"
                    twin: "r1"
                    set:
                      count: "${header.reading}"
                    sourceTime: "${header.at}"
                """);
        assertThat(rules.reloadIfChanged()).isTrue();
        batch(reading("t1", 1, "2026-03-04T05:06:07+01:00", "2026-01-01T00:00:00Z"));
        assertThat(twins.get("r1").at("/$metadata/count/sourceTime").asText()).isEqualTo("2026-03-04T04:06:07Z");
        // milliseconds since the epoch
        batch(reading("t2", 2, 1772600000000L, null));
        assertThat(twins.get("r1").at("/$metadata/count/sourceTime").asText()).isEqualTo("2026-03-04T04:53:20Z");
        // none in the message: the envelope's
        batch(reading("t3", 3, null, "2026-01-01T00:00:00Z"));
        assertThat(twins.get("r1").at("/$metadata/count/sourceTime").asText()).isEqualTo("2026-01-01T00:00:00Z");
        assertThat(deadLetters()).isEmpty();
        // not a time: dead-lettered with the reason, the twin unchanged
        batch(reading("t4", 4, "yesterday", null), reading("t5", 5, 1.5e300, null));
        assertThat(deadLetters()).extracting(IngressDeadLetterRow::reason).satisfiesExactly(
                r -> assertThat(r).contains("yesterday"), r -> assertThat(r).contains("milliseconds since the epoch"));
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(3);
    }

    private Exchange reading(String messageId, int value, Object at, String envelopeTime) {
        Exchange e = message("vendor", messageId, "r1", "{}", envelopeTime);
        e.getMessage().setHeader("reading", value);
        e.getMessage().setHeader("at", at);
        return e;
    }

    /** A misspelled key inside a propagation's blocks is refused, not read as its default (an aggregate of copy). */
    @Test
    void aPropagationWithAnUnknownKeyInItsBlocksIsRefused() {
        String propagation = """
                propagations:
                  - id: room
                    model: "%s"
                    property: count
                    relationship: { name: feeds, %s }
                    set: { property: count, %s }
                """;
        assertThatThrownBy(() -> MappingRules.parse(propagation.formatted(ROOM, "direction: incoming",
                "aggregte: max"), context)).hasMessageContaining("propagation room set: unknown key 'aggregte'");
        assertThatThrownBy(() -> MappingRules.parse(propagation.formatted(ROOM, "nmae: x", "aggregate: max"),
                context)).hasMessageContaining("propagation room relationship: unknown key 'nmae'");
        assertThat(MappingRules.parse(propagation.formatted(ROOM, "direction: incoming", "aggregate: max"), context)
                .propagations()).extracting(MappingRules.Propagation::aggregate)
                .containsExactly(MappingRules.Aggregate.MAX);
    }

    @Test
    void anAggregateFollowsRelationshipsAsTheyComeAndGoAndIsRemovedWhenNothingIsLeft() throws Exception {
        Files.writeString(rulesPath, """
                propagations:
                  - id: avg
                    model: "%1$s"
                    property: Temperature
                    relationship: { name: contains, direction: incoming }
                    set: { property: Temperature, aggregate: avg }
                  - id: sum
                    model: "%1$s"
                    property: Temperature
                    relationship: { name: contains, direction: incoming }
                    set: { property: ComfortIndex, aggregate: sum }
                """.formatted(THERMOSTAT));
        rules.reloadIfChanged();
        twins.put("s1", json("{'$metadata':{'$model':'" + SPACE + "'}}"), null);
        twins.put("t1", json("{'$metadata':{'$model':'" + THERMOSTAT + "'},'Temperature':10}"), null);
        twins.put("t2", json("{'$metadata':{'$model':'" + THERMOSTAT + "'},'Temperature':20}"), null);

        relationships.put("s1", "c1", json("{'$targetId':'t1','$relationshipName':'contains'}"), null);
        assertThat(twins.get("s1").get("Temperature").asDouble()).isEqualTo(10);
        relationships.put("s1", "c2", json("{'$targetId':'t2','$relationshipName':'contains'}"), null);
        assertThat(twins.get("s1").get("Temperature").asDouble()).isEqualTo(15);
        assertThat(twins.get("s1").get("ComfortIndex").asDouble()).isEqualTo(30);
        relationships.delete("s1", "c1", null);
        assertThat(twins.get("s1").get("Temperature").asDouble()).isEqualTo(20);
        assertThat(twins.get("s1").get("ComfortIndex").asDouble()).isEqualTo(20);

        // the last value goes: an average over nothing is no value, a sum over nothing is 0
        twins.patch("t2", json("[{'op':'remove','path':'/Temperature'}]"), null, null);
        assertThat(twins.get("s1").has("Temperature")).isFalse();
        assertThat(twins.get("s1").get("ComfortIndex").asDouble()).isEqualTo(0);
        // and it comes back with the next reading
        batch(message("kafka:t", "a1", "t2", "{\"Temperature\":30}", null));
        assertThat(twins.get("s1").get("Temperature").asDouble()).isEqualTo(30);
    }

    @Test
    void propagationsThatCannotFireAsWrittenAreNamed() {
        String rule = """
                  - id: %s
                    model: "%s"
                    property: %s
                    relationship: { name: %s, direction: %s }
                    set: { property: count }
                """;
        MappingRules written = MappingRules.parse("propagations:\n"
                + rule.formatted("fine", ROOM, "count", "feeds", "outgoing")
                + rule.formatted("no-model", "dtmi:test:Nope;1", "count", "feeds", "outgoing")
                + rule.formatted("no-property", ROOM, "cuont", "feeds", "outgoing")
                + rule.formatted("no-relationship", ROOM, "count", "fedes", "outgoing")
                + rule.formatted("declared-elsewhere", ROOM, "count", "fedes", "incoming"), context);
        assertThat(new Propagator(rules, twinModels).problems(written)).containsExactly(
                "propagation no-model does not fire while its model dtmi:test:Nope;1 is not stored",
                "propagation no-property does not fire while " + ROOM + " has no property cuont",
                "propagation no-relationship does not fire while " + ROOM + " has no relationship fedes");
    }

    @Test
    void propagationsCascadeAndStopAtALoop() throws Exception {
        Files.writeString(rulesPath, """
                propagations:
                  - id: feeds-copy
                    model: "%s"
                    property: count
                    relationship: { name: feeds, direction: outgoing }
                    set: { property: count, aggregate: copy }
                """.formatted(ROOM));
        rules.reloadIfChanged();
        twins.put("r2", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{}}"), null);
        twins.put("r3", json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{}}"), null);
        relationships.put("r1", "f12", json("{'$targetId':'r2','$relationshipName':'feeds'}"), null);
        relationships.put("r2", "f23", json("{'$targetId':'r3','$relationshipName':'feeds'}"), null);
        relationships.put("r3", "f31", json("{'$targetId':'r1','$relationshipName':'feeds'}"), null);

        batch(message("kafka:t", "p1", "r1", "{\"count\":7}", null));
        // r1 -> r2 -> r3 -> r1 is a loop: every twin is set once in the cascade, and it ends
        assertThat(twins.get("r2").get("count").asInt()).isEqualTo(7);
        assertThat(twins.get("r3").get("count").asInt()).isEqualTo(7);
        assertThat(twins.get("r1").get("count").asInt()).isEqualTo(7);
        assertThat(deadLetters()).isEmpty();
    }
}
