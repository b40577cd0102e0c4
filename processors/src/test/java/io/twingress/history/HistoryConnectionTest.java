package io.twingress.history;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.twingress.AdtException;
import io.twingress.Json;
import io.twingress.event.DeadLetter;
import io.twingress.event.EndpointLimits;
import io.twingress.store.HistoryRows;
import io.twingress.store.OutboxEvent;

class HistoryConnectionTest {

    static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    static final String MODEL = "dtmi:com:example:Pump;1";

    static HistoryConnection parse(String properties) {
        return HistoryConnection.parse("conn-1", Json.parse("{\"properties\":" + properties + "}"),
                EndpointLimits.PRODUCTION, NOW);
    }

    @Test
    void aKafkaSinkIsReadAsAKafkaEndpointAndKeepsItsSecretOutOfTheResource() {
        HistoryConnection c = parse("{\"connectionType\":\"Kafka\",\"bootstrapServers\":\"k:9092\",\"topic\":\"h\","
                + "\"securityProtocol\":\"SASL_SSL\",\"saslUsername\":\"u\",\"saslPassword\":\"s3cret\","
                + "\"retryPolicy\":{\"timeToLive\":\"PT1H\"},\"deadLetter\":{\"type\":\"Files\",\"directory\":\"/tmp/h\"}}");
        assertThat(c.kafka().connection().topic()).isEqualTo("h");
        assertThat(c.kafka().retryPolicy().timeToLive()).hasHours(1);
        assertThat(c.kafka().deadLetter().type()).isEqualTo(DeadLetter.Type.Files);
        assertThat(Json.write(c.toResource())).doesNotContain("s3cret").contains("\"saslPassword\":null");
        assertThat(c.toStored()).contains("s3cret");
        assertThat(HistoryConnection.fromStored("conn-1", c.toStored())).isEqualTo(c);
    }

    @Test
    void aKafkaSinkWithoutADeadLetterDropsAndLogsAndMayNotUseTheEndpointsStore() {
        assertThat(parse("{\"connectionType\":\"Kafka\",\"connectionString\":\"Endpoint=sb://ns.servicebus.windows"
                + ".net/;SharedAccessKeyName=k;SharedAccessKey=a2V5;EntityPath=adt-history\"}").kafka().deadLetter()
                .type()).isEqualTo(DeadLetter.Type.None);
        assertRefused("{\"connectionType\":\"Kafka\",\"bootstrapServers\":\"k:9092\",\"topic\":\"h\","
                + "\"deadLetter\":{\"type\":\"Store\"}}", "Files");
        assertRefused("{\"connectionType\":\"Kafka\",\"bootstrapServers\":\"k:9092\",\"topic\":\"h\","
                + "\"deadLetter\":{}}", "Store is for endpoints");
        assertRefused("{\"connectionType\":\"Kafka\",\"bootstrapServers\":\"k:9092\",\"topic\":\"h\","
                + "\"retention\":{\"AdtPropertyEvents\":\"P1D\"}}", "Azure Data Explorer");
        assertRefused("{\"connectionType\":\"Kafka\",\"topic\":\"h\"}", "bootstrapServers");
        assertRefused("{\"connectionType\":\"Kafka\",\"bootstrapServers\":\"k:9092\",\"topic\":\"h\","
                + "\"retryPolicy\":{\"timeToLive\":\"PT1M\"}}", "timeToLive");
    }

    @Test
    void eachKindOfRowHasATableOfItsOwn() {
        assertRefused("{\"telemetry\":[{\"modelId\":\"" + MODEL + "\"}],"
                + "\"adxTelemetryEventsTableName\":\"AdtPropertyEvents\"}", "'AdtPropertyEvents' is given to two");
        assertRefused("{\"adxTableName\":\"adttwinlifecycleevents\"}", "two kinds of rows");
        // without telemetry, its table is not written, so its name may be anything
        assertThat(parse("{\"adxTelemetryEventsTableName\":\"AdtPropertyEvents\"}").telemetryTable()).isNull();
        // one stored before the check is still read: refusing it would stop the history feed of every connection
        String stored = parse("{\"adxTableName\":\"Mine\"}").toStored().replace("Mine", "AdtTwinLifeCycleEvents");
        assertThat(HistoryConnection.fromStored("conn-1", stored).propertyTable()).isEqualTo("AdtTwinLifeCycleEvents");
    }

    @Test
    void kafkaSettingsBelongToKafkaSinksOnly() {
        assertRefused("{\"connectionType\":\"Embedded\",\"topic\":\"h\"}", "Unknown property 'topic'");
        assertRefused("{\"connectionType\":\"AzureDataExplorer\"}", "Kafka");
    }

    @Test
    void telemetryIsOptInPerModelAndName() {
        HistoryConnection none = parse("{}");
        assertThat(none.telemetryTable()).isNull();
        assertThat(none.historizes(MODEL, "Flow")).isFalse();
        HistoryConnection some = parse("{\"telemetry\":[{\"modelId\":\"" + MODEL + "\",\"names\":[\"Flow\"]},"
                + "{\"modelId\":\"dtmi:com:example:Valve;1\"}],\"adxTelemetryEventsTableName\":\"Readings\"}");
        assertThat(some.telemetryTable()).isEqualTo("Readings");
        assertThat(some.historizes(MODEL, "Flow")).isTrue();
        assertThat(some.historizes(MODEL, "Pressure")).isFalse();
        assertThat(some.historizes("dtmi:com:example:Valve;1", "anything")).isTrue();
        assertThat(HistoryConnection.fromStored("conn-1", some.toStored())).isEqualTo(some);
        assertRefused("{\"telemetry\":[{\"modelId\":\"not a dtmi\"}]}", "modelId");
        assertRefused("{\"telemetry\":{\"modelId\":\"" + MODEL + "\"}}", "list");
        assertRefused("{\"telemetry\":[{\"modelId\":\"" + MODEL + "\",\"names\":[1]}]}", "names");
        assertRefused("{\"telemetry\":[{\"modelId\":\"" + MODEL + "\",\"name\":\"Flow\"}]}", "is not one");
    }

    @Test
    void selectedTelemetryFieldsBecomeRowsOfTheTelemetryTable() {
        HistoryConnection c = parse("{\"telemetry\":[{\"modelId\":\"" + MODEL + "\",\"names\":[\"Flow\",\"Temp\"]}]}");
        List<HistoryRows.PropertyEvent> rows = new ArrayList<>();
        HistoryRowSink sink = new HistoryRowSink() {
            @Override
            public void value(HistoryRows.ValueTable table, HistoryRows.PropertyEvent row) {
                assertThat(table).isEqualTo(HistoryRows.ValueTable.TELEMETRY);
                rows.add(row);
            }

            @Override
            public void twinLifecycle(HistoryRows.TwinLifecycle row) {
                throw new AssertionError(row);
            }

            @Override
            public void relationshipLifecycle(HistoryRows.RelationshipLifecycle row) {
                throw new AssertionError(row);
            }
        };
        OutboxEvent telemetry = OutboxEvent.of(NOW.toEpochMilli(), "m1", "microsoft.iot.telemetry",
                "tw.example/digitaltwins/pump-1", "inlet", "2026-11-30T23:59:59.5Z", MODEL, null,
                "{\"Flow\":3.5,\"Temp\":{\"c\":20},\"Noise\":1}", null);
        HistoryRecorder.record(null, c, telemetry, sink);
        assertThat(rows).extracting(r -> r.key() + "=" + r.value()).containsExactly("inlet.Flow=3.5",
                "inlet.Temp={\"c\":20}");
        HistoryRows.PropertyEvent row = rows.get(0);
        assertThat(row.twinId()).isEqualTo("pump-1");
        assertThat(row.serviceId()).isEqualTo("tw.example");
        assertThat(row.timeStamp()).isEqualTo("2026-12-01T00:00:00.000000000Z");
        assertThat(row.sourceTimeStamp()).isEqualTo("2026-11-30T23:59:59.500000000Z");
        // another model's telemetry, or a payload that is no object, gives no row
        rows.clear();
        HistoryRecorder.record(null, c, OutboxEvent.of(NOW.toEpochMilli(), "m2", "microsoft.iot.telemetry",
                "tw.example/digitaltwins/v", null, NOW.toString(), "dtmi:com:example:Valve;1", null, "{\"Flow\":1}",
                null), sink);
        HistoryRecorder.record(null, c, OutboxEvent.of(NOW.toEpochMilli(), "m3", "microsoft.iot.telemetry",
                "tw.example/digitaltwins/pump-1", null, NOW.toString(), MODEL, null, "\"just text\"", null), sink);
        assertThat(rows).isEmpty();
    }

    @Test
    void aSendersTimeIsHistorizedInUtcWithNineFractionDigitsWhateverItsOffset() {
        HistoryConnection c = parse("{}");
        List<HistoryRows.PropertyEvent> rows = new ArrayList<>();
        HistoryRowSink sink = new HistoryRowSink() {
            @Override
            public void value(HistoryRows.ValueTable table, HistoryRows.PropertyEvent row) {
                rows.add(row);
            }

            @Override
            public void twinLifecycle(HistoryRows.TwinLifecycle row) {
            }

            @Override
            public void relationshipLifecycle(HistoryRows.RelationshipLifecycle row) {
            }
        };
        String update = "{\"modelId\":\"" + MODEL + "\",\"patch\":[{\"op\":\"replace\",\"path\":\"/Flow\",\"value\":2},"
                + "{\"op\":\"replace\",\"path\":\"/$metadata/Flow/sourceTime\","
                + "\"value\":\"2026-12-02T07:00:00.5+01:00\"},"
                + "{\"op\":\"replace\",\"path\":\"/inlet/Temp\",\"value\":3},"
                + "{\"op\":\"replace\",\"path\":\"/inlet/$metadata/Temp/sourceTime\",\"value\":\"not a time\"},"
                + "{\"op\":\"replace\",\"path\":\"/Level\",\"value\":4}]}";
        HistoryRecorder.record(null, c, OutboxEvent.of(NOW.toEpochMilli(), "u1", "Microsoft.DigitalTwins.Twin.Update",
                "tw.example", "pump-1", NOW.toString(), null, null, update, null), sink);
        String created = "{\"$dtId\":\"pump-2\",\"Flow\":1,\"$metadata\":{\"$model\":\"" + MODEL + "\","
                + "\"Flow\":{\"lastUpdateTime\":\"2026-12-02T06:00:01Z\",\"sourceTime\":\"2026-12-02T06:00:00.25Z\"}}}";
        HistoryRecorder.record(null, c, OutboxEvent.of(NOW.toEpochMilli(), "c1", "Microsoft.DigitalTwins.Twin.Create",
                "tw.example", "pump-2", NOW.toString(), null, null, created, null), sink);

        assertThat(rows).extracting(r -> r.twinId() + " " + r.key() + " " + r.sourceTimeStamp()).containsExactly(
                "pump-1 Flow 2026-12-02T06:00:00.500000000Z",
                // only a hand-made event can carry text that is no time: it is kept as sent
                "pump-1 inlet.Temp not a time",
                "pump-1 Level null",
                "pump-2 Flow 2026-12-02T06:00:00.250000000Z");
    }

    static void assertRefused(String properties, String mention) {
        assertThatThrownBy(() -> parse(properties)).isInstanceOf(AdtException.class).hasMessageContaining(mention);
    }
}
