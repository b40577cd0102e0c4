package io.twingress.event;

import static io.twingress.model.TestModels.BASE;
import static io.twingress.model.TestModels.ROOM;
import static io.twingress.model.TestModels.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.twingress.AdtException;
import io.twingress.Json;
import io.twingress.model.ModelService;
import io.twingress.model.TestModels;
import io.twingress.store.DeadLetterRow;
import io.twingress.store.OutboxEvent;
import io.twingress.store.OutboxPosition;
import io.twingress.store.SqliteTwinStore;
import io.twingress.twin.RelationshipOperations;
import io.twingress.twin.TwinModels;
import io.twingress.twin.TwinOperations;

/** The outbox as the write path fills it, and the events and bindings made from it. */
class OutboxTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    private static final String TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    @TempDir
    Path dir;

    private SqliteTwinStore store;
    private EventRecorder recorder;
    private TwinOperations twins;
    private RelationshipOperations relationships;

    @BeforeEach
    void open() {
        store = new SqliteTwinStore(dir.resolve("twins.db"), "NORMAL");
        ModelService models = new ModelService(store);
        models.upload(TestModels.all());
        TwinModels twinModels = new TwinModels(models);
        recorder = new EventRecorder(store, "twins.example.com", CLOCK);
        twins = new TwinOperations(store, twinModels, CLOCK, recorder);
        relationships = new RelationshipOperations(store, twinModels, recorder);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private List<OutboxEvent> events() {
        return store.read(tx -> tx.eventsAfter(OutboxPosition.START, 1000));
    }

    private void putRoom(String id, String members) {
        twins.put(id, json("{'$metadata':{'$model':'" + ROOM + "'},'comp1':{}"
                + (members.isEmpty() ? "" : "," + members) + "}"), null, TRACE);
    }

    @Test
    void twinChangesBecomeAdtEventsInCommitOrder() {
        putRoom("room 1", "'count':1");
        twins.patch("room 1", json("[{'op':'replace','path':'/count','value':2}]"), null, null);
        putRoom("room 1", "'count':3,'label':'x'");
        twins.delete("room 1", null, null);

        List<OutboxEvent> events = events();
        assertThat(events).extracting(OutboxEvent::type).containsExactly(EventTypes.TWIN_CREATE,
                EventTypes.TWIN_UPDATE, EventTypes.TWIN_UPDATE, EventTypes.TWIN_DELETE);
        assertThat(events).extracting(OutboxEvent::subject).containsOnly("room 1");
        assertThat(events).extracting(OutboxEvent::source).containsOnly("twins.example.com");
        assertThat(events.get(0).position()).isLessThan(events.get(1).position());
        assertThat(events.get(0).traceparent()).isEqualTo(TRACE);
        // a request without trace context gets a new, valid one
        assertThat(events.get(1).traceparent()).matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01").isNotEqualTo(TRACE);

        JsonNode created = Json.parse(events.get(0).data());
        assertThat(created.get("$dtId").asText()).isEqualTo("room 1");
        assertThat(created.get("count").asInt()).isEqualTo(1);
        assertThat(created.at("/$metadata/$model").asText()).isEqualTo(ROOM);
        assertThat(Json.parse(events.get(1).data())).isEqualTo(json("{'modelId':'" + ROOM
                + "','patch':[{'value':2,'path':'/count','op':'replace'}]}"));
        // a replace is reported as the patch between the two states
        assertThat(Json.parse(events.get(2).data())).isEqualTo(json("{'modelId':'" + ROOM + "','patch':["
                + "{'value':3,'path':'/count','op':'replace'},{'value':'x','path':'/label','op':'add'}]}"));
        JsonNode deleted = Json.parse(events.get(3).data());
        assertThat(deleted.get("count").asInt()).isEqualTo(3);
        assertThat(deleted.get("label").asText()).isEqualTo("x");
    }

    @Test
    void relationshipChangesCarryTheSourceTwinsModel() {
        putRoom("a", "");
        twins.put("b", json("{'$metadata':{'$model':'" + BASE + "'}}"), null, null);
        relationships.put("a", "r1", json("{'$targetId':'b','$relationshipName':'feeds','weight':1.5}"), null, null);
        relationships.patch("a", "r1", json("[{'op':'replace','path':'/weight','value':2.5}]"), null, null);
        relationships.delete("a", "r1", null, null);

        List<OutboxEvent> events = events().subList(2, 5);
        assertThat(events).extracting(OutboxEvent::type).containsExactly(EventTypes.RELATIONSHIP_CREATE,
                EventTypes.RELATIONSHIP_UPDATE, EventTypes.RELATIONSHIP_DELETE);
        assertThat(events).extracting(OutboxEvent::subject).containsOnly("a/relationships/r1");
        assertThat(Json.parse(events.get(0).data()).get("$targetId").asText()).isEqualTo("b");
        assertThat(Json.parse(events.get(1).data())).isEqualTo(json("{'modelId':'" + ROOM
                + "','patch':[{'value':2.5,'path':'/weight','op':'replace'}]}"));
        assertThat(Json.parse(events.get(2).data()).get("weight").decimalValue()).isEqualByComparingTo("2.5");
    }

    @Test
    void aRefusedChangeRecordsNoEvent() {
        putRoom("room", "'count':1");
        assertThatThrownBy(() -> twins.patch("room", json("[{'op':'replace','path':'/count','value':'many'}]"), null,
                null)).isInstanceOf(AdtException.class);
        assertThatThrownBy(() -> twins.patch("room", json("[{'op':'replace','path':'/count','value':2}]"),
                "W/\"stale\"", null)).isInstanceOf(AdtException.class);
        twins.patch("room", json("[]"), null, null);
        assertThat(events()).extracting(OutboxEvent::type).containsExactly(EventTypes.TWIN_CREATE);
    }

    @Test
    void anUpdateKeepsItsStateAndPreviousValuesOnlyWhileARouteWantsThem() {
        putRoom("room", "'count':1");
        twins.patch("room", json("[{'op':'replace','path':'/count','value':2}]"), null, null);
        recorder.enrich(true);
        twins.patch("room", json("[{'op':'replace','path':'/count','value':3},"
                + "{'op':'add','path':'/label','value':'new'}]"), null, null);
        List<OutboxEvent> events = events();
        assertThat(events.get(1).extra()).isNull();

        OutboxEvent update = events.get(2);
        EventRoute plain = EventRoute.parse("plain", json("{'endpointName':'e','filter':'true'}"));
        EventRoute enriched = EventRoute.parse("rich", json("{'endpointName':'e','filter':'true',"
                + "'includeState':true,'includePreviousValues':true}"));
        JsonNode plainData = Json.parse(AdtCloudEvents.dataText(AdtCloudEvents.of(update, plain)));
        assertThat(plainData.has(EventTypes.STATE)).isFalse();
        JsonNode richData = Json.parse(AdtCloudEvents.dataText(AdtCloudEvents.of(update, enriched)));
        assertThat(richData.at("/$state/count").asInt()).isEqualTo(3);
        assertThat(richData.at("/$state/label").asText()).isEqualTo("new");
        assertThat(richData.get(EventTypes.PREVIOUS)).isEqualTo(json("{'/count':2,'/label':null}"));
        assertThat(richData.get("patch")).hasSize(2);
    }

    @Test
    void aTelemetryEventAtALeapSecondStillBecomesACloudEvent() {
        // a sender's Telemetry-Source-Time may be one (RFC 3339 allows it); java.time has no value for it, and an
        // event that could not be built would stop its endpoint's stream
        OutboxEvent leap = OutboxEvent.of(CLOCK.millis(), "e1", EventTypes.TELEMETRY, "twins.example.com", null,
                "2016-12-31T23:59:60Z", "dtmi:x;1", null, "{\"t\":1}", null);
        assertThat(AdtCloudEvents.of(leap, null).getTime().toInstant())
                .isEqualTo(Instant.parse("2016-12-31T23:59:59.999999999Z"));
    }

    @Test
    void theCloudEventHasAdtsAttributesAndJsonData() {
        putRoom("room/1", "'count':1");
        CloudEvent event = AdtCloudEvents.of(events().get(0), null);
        assertThat(event.getSpecVersion().toString()).isEqualTo("1.0");
        assertThat(event.getType()).isEqualTo(EventTypes.TWIN_CREATE);
        assertThat(event.getSource().toString()).isEqualTo("twins.example.com");
        assertThat(event.getSubject()).isEqualTo("room/1");
        assertThat(event.getTime().toInstant()).isEqualTo(CLOCK.instant());
        assertThat(event.getExtension("traceparent")).isEqualTo(TRACE);
        assertThat(event.getDataContentType()).isEqualTo("application/json");

        JsonNode structured = Json.parse(AdtCloudEvents.structuredText(event));
        assertThat(structured.get("id").asText()).isEqualTo(event.getId());
        assertThat(structured.at("/data/$dtId").asText()).isEqualTo("room/1");
        CloudEvent back = AdtCloudEvents.parseStructured(AdtCloudEvents.structuredText(event));
        assertThat(back.getId()).isEqualTo(event.getId());
        assertThat(back.getExtension("traceparent")).isEqualTo(TRACE);
        assertThat(Json.parse(AdtCloudEvents.dataText(back))).isEqualTo(Json.parse(AdtCloudEvents.dataText(event)));
    }

    @Test
    void aTwinIdThatIsNoUriIsEncodedInTheTelemetrySource() {
        assertThat(AdtCloudEvents.uriReference("host/digitaltwins/a b%#?é").toString())
                .isEqualTo("host/digitaltwins/a%20b%25%23%3F%C3%A9");
    }

    @Test
    void cursorsAreLeasedToOneInstanceAtATime() {
        putRoom("r", "");
        OutboxPosition head = store.read(tx -> tx.outboxHead());
        assertThat(head).isEqualTo(events().get(0).position());
        store.write(tx -> {
            tx.createCursor("endpoint:e", OutboxPosition.START);
            assertThat(tx.leaseCursor("endpoint:e", "a", 1000, 2000)).isTrue();
            assertThat(tx.leaseCursor("endpoint:e", "b", 1500, 2500)).as("held by a").isFalse();
            assertThat(tx.advanceCursor("endpoint:e", "b", head)).as("b does not hold it").isFalse();
            assertThat(tx.advanceCursor("endpoint:e", "a", head)).isTrue();
            assertThat(tx.leaseCursor("endpoint:e", "b", 2001, 3000)).as("a's lease ran out").isTrue();
            tx.releaseCursor("endpoint:e", "b");
            assertThat(tx.leaseCursor("endpoint:e", "a", 2002, 3000)).as("released").isTrue();
            return null;
        });
        assertThat(store.read(tx -> tx.cursor("endpoint:e")).position()).isEqualTo(head);
        List<OutboxEvent> after = store.read(tx -> tx.eventsAfter(head, 10));
        assertThat(after).isEmpty();
    }

    @Test
    void thePrunerKeepsWhatAConsumerHasNotPassed() {
        putRoom("r1", "");
        putRoom("r2", "");
        putRoom("r3", "");
        List<OutboxEvent> events = events();
        store.write(tx -> {
            tx.createCursor("endpoint:slow", events.get(0).position());
            tx.createCursor("endpoint:fast", events.get(2).position());
            return null;
        });
        OutboxPruner pruner = new OutboxPruner(store, 1);
        assertThat(pruner.prune(10)).isEqualTo(1);
        assertThat(events()).extracting(OutboxEvent::subject).containsExactly("r2", "r3");
        store.write(tx -> {
            tx.deleteCursor("endpoint:slow");
            return null;
        });
        assertThat(pruner.prune(10)).isEqualTo(2);
        assertThat(events()).isEmpty();
    }

    @Test
    void aBatchIsSentAsOneLanePerSourceAndSubjectInCommitOrderOrAsOneUnitToAnEndpointThatTakesBatches() {
        Delivery a1 = delivery(1, "twins.example.com", "a");
        Delivery b1 = delivery(2, "twins.example.com", "b");
        Delivery a2 = delivery(3, "twins.example.com", "a");
        // telemetry names its twin in the source, and only a component in the subject
        Delivery t1 = delivery(4, "twins.example.com/digitaltwins/a", null);
        Delivery u1 = delivery(5, "twins.example.com/digitaltwins/b", null);
        Delivery t2 = delivery(6, "twins.example.com/digitaltwins/a", null);
        Delivery b2 = delivery(7, "twins.example.com", "b");
        List<Delivery> batch = List.of(a1, b1, a2, t1, u1, t2, b2);

        List<Lane> lanes = OutboxRelay.lanes("ep", false, batch);
        assertThat(lanes).extracting(lane -> lane.getUnits().stream().map(DeliveryUnit::deliveries).toList())
                .containsExactly(List.of(List.of(a1), List.of(a2)), List.of(List.of(b1), List.of(b2)),
                        List.of(List.of(t1), List.of(t2)), List.of(List.of(u1)));
        assertThat(lanes).allSatisfy(lane -> {
            assertThat(lane.isOpen()).isTrue();
            assertThat(lane.getUnits()).allSatisfy(unit -> assertThat(unit.endpoint()).isEqualTo("ep"));
        });

        List<Lane> batched = OutboxRelay.lanes("ep", true, batch);
        assertThat(batched).hasSize(1);
        assertThat(batched.get(0).getUnits()).containsExactly(new DeliveryUnit("ep", batch));
        assertThat(OutboxRelay.lanes("ep", true, List.of())).isEmpty();
        assertThat(OutboxRelay.lanes("ep", false, List.of())).isEmpty();
    }

    private static Delivery delivery(long seq, String source, String subject) {
        CloudEvent event = io.cloudevents.core.builder.CloudEventBuilder.v1().withId("e" + seq)
                .withSource(java.net.URI.create(source)).withType("Microsoft.DigitalTwins.Twin.Update")
                .withSubject(subject).build();
        return new Delivery(new OutboxPosition(0, seq), "r", event, Instant.MAX);
    }

    @Test
    void bindingsFollowTheCloudEventsProtocolBindings() {
        putRoom("room", "'count':1");
        CloudEvent event = AdtCloudEvents.of(events().get(0), null);
        DeliveryUnit unit = new DeliveryUnit("ep", List.of(new Delivery(OutboxPosition.START, "r", event,
                Instant.MAX)));
        EventBindings bindings = new EventBindings();
        DefaultCamelContext context = new DefaultCamelContext();

        Exchange kafka = new DefaultExchange(context);
        bindings.bind(kafka, spec("{'endpointType':'Kafka','bootstrapServers':'h:9092','topic':'t'}"), unit);
        @SuppressWarnings("unchecked")
        List<Message> records = kafka.getMessage().getBody(List.class);
        assertThat(records).hasSize(1);
        Map<String, Object> headers = records.get(0).getHeaders();
        assertThat(headers).containsEntry("ce_id", event.getId()).containsEntry("ce_type", EventTypes.TWIN_CREATE)
                .containsEntry("ce_specversion", "1.0").containsEntry("ce_traceparent", TRACE)
                .containsEntry("content-type", "application/json").containsEntry("kafka.KEY", "room");
        assertThat(new String(records.get(0).getBody(byte[].class), StandardCharsets.UTF_8))
                .isEqualTo(AdtCloudEvents.dataText(event));

        Exchange grid = new DefaultExchange(context);
        bindings.bind(grid, spec("{'endpointType':'EventGrid','TopicEndpoint':'https://t.example.net/api/events',"
                + "'accessKey1':'k1'}"), unit);
        assertThat(grid.getMessage().getHeader("aeg-sas-key")).isEqualTo("k1");
        JsonNode gridEvent = Json.parse(grid.getMessage().getBody(String.class)).get(0);
        assertThat(gridEvent.get("eventType").asText()).isEqualTo(EventTypes.TWIN_CREATE);
        assertThat(gridEvent.get("dataVersion").asText()).isEqualTo("1.0");
        assertThat(gridEvent.at("/data/data/$dtId").asText()).isEqualTo("room");
        assertThat(gridEvent.at("/data/traceparent").asText()).isEqualTo(TRACE);

        Exchange bus = new DefaultExchange(context);
        bindings.bind(bus, spec("{'endpointType':'ServiceBus','primaryConnectionString':"
                + "'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=q'}"),
                unit);
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = bus.getMessage().getHeader("CamelAzureServiceBusApplicationProperties",
                Map.class);
        assertThat(properties).containsEntry("cloudEvents:id", event.getId())
                .containsEntry("cloudEvents:source", "twins.example.com")
                .containsEntry("cloudEvents:type", EventTypes.TWIN_CREATE)
                .containsEntry("cloudEvents:subject", "room");
        assertThat(new String(bus.getMessage().getBody(byte[].class), StandardCharsets.UTF_8))
                .isEqualTo(AdtCloudEvents.dataText(event));
        // the producer makes other headers application properties too, unless they are Camel's
        assertThat(bus.getMessage().getHeaders()).containsOnlyKeys("CamelAzureServiceBusApplicationProperties");

        Exchange hub = new DefaultExchange(context);
        hub.getMessage().setHeader("stale", "from an earlier step");
        bindings.bind(hub, spec("{'endpointType':'EventHub','connectionStringPrimaryKey':"
                + "'Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=s;EntityPath=h'}"),
                unit);
        // every header becomes an application property of the event
        assertThat(hub.getMessage().getHeaders()).isEqualTo(properties);
        assertThat(new String(hub.getMessage().getBody(byte[].class), StandardCharsets.UTF_8))
                .isEqualTo(AdtCloudEvents.dataText(event));
    }

    @Test
    void onlyAnExpiredOrRefusedUnitIsDeadLetteredNotOneWhoseRetriesEndedBecauseTheRouteStopped() {
        putRoom("room", "'count':1");
        EgressSettings settings = new EgressSettings(store, recorder, EndpointLimits.PRODUCTION, CLOCK);
        settings.putEndpoint("ep", json("{'properties':{'endpointType':'Webhook','url':'http://127.0.0.1:9/'}}"));
        DeadLetters deadLetters = new DeadLetters(store, settings, EgressMetrics.NONE, CLOCK, null);
        CloudEvent event = AdtCloudEvents.of(events().get(0), null);
        DefaultCamelContext context = new DefaultCamelContext();

        Exchange stopped = new DefaultExchange(context);
        stopped.setProperty(OutboxRelay.UNIT, new DeliveryUnit("ep", List.of(new Delivery(OutboxPosition.START, "r",
                event, CLOCK.instant().plusSeconds(60)))));
        stopped.setProperty(Exchange.EXCEPTION_CAUGHT, new java.io.IOException("connection reset"));
        assertThatThrownBy(() -> deadLetters.record(stopped)).isInstanceOf(IllegalStateException.class);
        assertThat(deadLetters.count("ep")).isZero();

        Exchange refused = new DefaultExchange(context);
        refused.setProperty(OutboxRelay.UNIT, stopped.getProperty(OutboxRelay.UNIT));
        refused.setProperty(Exchange.EXCEPTION_CAUGHT, new PermanentDeliveryFailure("refused with HTTP 400"));
        deadLetters.record(refused);
        Exchange expired = new DefaultExchange(context);
        expired.setProperty(OutboxRelay.UNIT, new DeliveryUnit("ep", List.of(new Delivery(OutboxPosition.START, "r",
                event, CLOCK.instant()))));
        expired.setProperty(Exchange.EXCEPTION_CAUGHT, new java.io.IOException("connection refused"));
        deadLetters.record(expired);
        assertThat(deadLetters.list("ep", 0, 10)).extracting(DeadLetterRow::reason)
                .containsExactly("PermanentDeliveryFailure: refused with HTTP 400", "IOException: connection refused");
    }

    /** An endpoint stored in a form this release cannot read stops only itself, not every endpoint's reload. */
    @Test
    void aStoredEndpointThatCannotBeReadIsLeftOutAndTheOthersLoad() {
        EgressSettings settings = new EgressSettings(store, recorder, EndpointLimits.PRODUCTION, CLOCK);
        settings.putEndpoint("good", json("{'properties':{'endpointType':'Webhook','url':'http://127.0.0.1:9/'}}"));
        store.write(tx -> {
            tx.putEndpoint("broken", "{\"properties\":{\"endpointType\":\"Ftp\"}}");
            return null;
        });
        settings.refresh();
        assertThat(settings.endpointNames()).containsExactly("good");
    }

    private static EndpointSpec spec(String properties) {
        return EndpointSpec.parse("ep", json("{'properties':" + properties + "}"), EndpointLimits.PRODUCTION,
                CLOCK.instant());
    }
}
