package io.twingress.ingest;

import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultExchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtError;
import io.twingress.AdtException;
import io.twingress.Instants;
import io.twingress.Json;
import io.twingress.model.Content;
import io.twingress.model.InterfaceModel;
import io.twingress.model.Rfc3339;
import io.twingress.model.Schema;
import io.twingress.store.IngressDeadLetterRow;
import io.twingress.store.StoreTx;
import io.twingress.store.StoredTwin;
import io.twingress.store.TwinStore;
import io.twingress.twin.Speculation;
import io.twingress.twin.TwinModels;
import io.twingress.twin.TwinOperations;

/**
 * The twin-update entry point every ingress connector ends in. A batch (a list of exchanges, as camel-kafka's batching
 * consumer delivers) or a single message is applied through the group-commit path: each message is one write unit,
 * accepted or refused on its own, and all accepted ones commit together, so the source is acknowledged after one
 * durable commit per batch.
 *
 * <p>Each message is, in its unit: dropped if its source has seen its id before; applied by the first rule of the
 * rules file that matches it, else by the default mapping (device {@code D} updates twin {@code D}: each top-level
 * field that is a property of the twin's model, or of one of its components, is set, coerced to its schema, with
 * the message's source time; each field that is a Telemetry of the model is published as telemetry). A message that
 * cannot be applied as it is goes to the ingress dead letters with the reason; a failure of the store fails the batch,
 * which the route's redelivery policy sends again (duplicates are dropped then). Before all that, a user route from
 * {@link #MESSAGE_STEP}, if there is one, sees each message; a message it fails is dead-lettered with the reason.
 */
public final class IngressPipeline {

    private static final Logger LOG = LoggerFactory.getLogger(IngressPipeline.class);

    /** Set on the exchange after a batch: how many messages were applied, dropped as duplicates, dead-lettered. */
    public static final String APPLIED = "TwingressIngressApplied";
    public static final String DUPLICATES = "TwingressIngressDuplicates";
    public static final String DEAD_LETTERED = "TwingressIngressDeadLettered";
    /** The reasons of the messages dead-lettered, in the batch's order. */
    public static final String REFUSALS = "TwingressIngressRefusals";
    /**
     * On a message's exchange: the ingress dead letter it is a replay of (a long), set by the caller. Refused again,
     * the message stays that letter instead of becoming a new one.
     */
    public static final String REPLAY_OF = "TwingressIngressReplayOf";
    /** Set on a message's exchange that was dead-lettered: the reason, and the error an HTTP sender is answered. */
    public static final String REFUSED = "TwingressIngressRefused";
    public static final String REFUSED_ERROR = "TwingressIngressRefusedError";
    /**
     * Where a user's route takes every ingress message, one at a time (also within a Kafka batch), before it is
     * applied: none is built in, so a message goes there only when a user route consumes from it.
     */
    public static final String MESSAGE_STEP = "direct://ingress-message";

    /** The first and last instants a source time may name: RFC 3339's four-digit years. */
    private static final long FIRST_MILLI = Instant.parse("0001-01-01T00:00:00Z").toEpochMilli();
    private static final long LAST_MILLI = Instant.parse("9999-12-31T23:59:59.999Z").toEpochMilli();

    private enum Result { APPLIED, DUPLICATE }

    private final TwinStore store;
    private final TwinModels models;
    private final TwinOperations twins;
    private final RulesFile rules;
    private final ProducerTemplate producer;
    private final IngressMetrics metrics;
    private final Clock clock;
    /** How a device's twin is found, and the twins found. */
    private final DeviceTwins deviceTwins;
    /** The property whose value is a twin's device id ({@link DeviceTwins#property()}), or null. */
    private final String twinIdProperty;
    /** The top-level field of a message that holds its source time for the default mapping, or null. */
    private final String sourceTimeField;

    /**
     * @param deviceTwins     how a device's twin is found; also a {@link io.twingress.twin.ChangeLog} of
     *                        {@code twins}, so that it sees a second twin take a device id
     * @param sourceTimeField the top-level field of a message that the default mapping reads its source time from
     *                       (RFC 3339 text or epoch milliseconds; not a property then), or blank for the envelope's
     */
    public IngressPipeline(TwinStore store, TwinModels models, TwinOperations twins, RulesFile rules,
            ProducerTemplate producer, IngressMetrics metrics, Clock clock, DeviceTwins deviceTwins,
            String sourceTimeField) {
        this.store = store;
        this.models = models;
        this.twins = twins;
        this.rules = rules;
        this.producer = producer;
        this.metrics = metrics;
        this.clock = clock;
        this.deviceTwins = deviceTwins;
        this.twinIdProperty = deviceTwins.property();
        this.sourceTimeField = sourceTimeField == null || sourceTimeField.isBlank() ? null : sourceTimeField.trim();
    }

    /** Applies the exchange's message, or the batch of exchanges in its body. */
    public void apply(Exchange exchange) {
        List<Exchange> messages = batch(exchange);
        List<Prepared> prepared = new ArrayList<>(messages.size());
        boolean userStep = exchange.getContext().hasEndpoint(MESSAGE_STEP) != null;
        for (Exchange message : messages) {
            String refused = userStep ? userStep(message) : null;
            IngressMessage envelope = IngressMessage.of(message);
            // parsed before the batch waits for the store's single writer, which another consumer may hold meanwhile
            prepared.add(new Prepared(message, envelope, refused != null ? null : Payload.of(envelope), refused));
        }
        List<Speculation> speculations = speculate(prepared);
        List<StoreTx.ReplayRequest> together = replayedTogether(prepared, speculations);
        // set by the first unit, which replays them; each message's own unit then reads what became of it. Null while
        // that unit has not run, or if it failed: the messages then go their own way, as the rest do
        AtomicReference<List<StoreTx.Replay>> replayed = new AtomicReference<>();
        List<Function<StoreTx, Result>> units = new ArrayList<>(prepared.size() + 1);
        if (!together.isEmpty()) {
            units.add(tx -> {
                replayed.set(null);
                replayed.set(tx.replayAll(together));
                return Result.APPLIED;
            });
        }
        for (int i = 0; i < prepared.size(); i++) {
            Prepared one = prepared.get(i);
            Speculation speculation = speculations.get(i);
            int index = i;
            units.add(one.refusedByStep() != null ? tx -> {
                throw new IngressRefusal(one.refusedByStep());
            } : tx -> applyOne(tx, one, speculation, index < together.size() && replayed.get() != null
                    ? replayed.get().get(index) : null));
        }
        List<TwinStore.Outcome<Result>> outcomes = store.writeEach(units);
        if (!together.isEmpty()) {
            TwinStore.Outcome<Result> first = outcomes.get(0);
            if (!first.accepted()) {
                // its messages were applied one by one instead; a store that cannot replay together is only slower
                LOG.debug("replaying {} ingress messages together failed: {}", together.size(), first.failure());
            }
            outcomes = outcomes.subList(1, outcomes.size());
        }
        List<IngressDeadLetterRow> refused = new ArrayList<>();
        // the dead letter each refused message replays, or null: a new letter
        List<Long> replaysOf = new ArrayList<>();
        String now = clock.instant().toString();
        int applied = 0;
        int duplicates = 0;
        for (int i = 0; i < outcomes.size(); i++) {
            TwinStore.Outcome<Result> outcome = outcomes.get(i);
            IngressMessage envelope = prepared.get(i).envelope();
            if (outcome.accepted()) {
                if (outcome.value() == Result.DUPLICATE) {
                    duplicates++;
                } else {
                    applied++;
                }
                continue;
            }
            String reason = refusal(outcome.failure());
            if (reason == null) {
                // the store failed: the whole batch is sent again by the route's redelivery policy
                outcome.orThrow();
            }
            Exchange message = prepared.get(i).message();
            message.setProperty(REFUSED, reason);
            message.setProperty(REFUSED_ERROR, outcome.failure() instanceof IngressRefusal r ? r.error()
                    : ((AdtException) outcome.failure()).error());
            IngressDeadLetterRow row = new IngressDeadLetterRow(envelope.source(), envelope.messageId(),
                    envelope.deviceId(), now, reason, Json.write(envelope.toJson()));
            refused.add(row);
            replaysOf.add(message.getProperty(REPLAY_OF, Long.class));
            metrics.deadLettered(envelope.source(), reasonKind(outcome.failure()));
        }
        if (!refused.isEmpty()) {
            store.write(tx -> {
                for (int i = 0; i < refused.size(); i++) {
                    IngressDeadLetterRow row = refused.get(i);
                    Long letter = replaysOf.get(i);
                    if (letter == null || !tx.refusedAgain(letter, row.reason(), now)) {
                        tx.insertIngressDeadLetter(row);
                    }
                }
                return null;
            });
            LOG.debug("{} ingress messages dead-lettered, first: {}", refused.size(), refused.get(0).reason());
        }
        if (applied > 0) {
            metrics.applied(prepared.get(0).envelope().source(), applied);
        }
        exchange.setProperty(APPLIED, applied);
        exchange.setProperty(DUPLICATES, duplicates);
        exchange.setProperty(DEAD_LETTERED, refused.size());
        exchange.setProperty(REFUSALS, refused.stream().map(IngressDeadLetterRow::reason).toList());
    }

    /**
     * Runs the user's route from {@link #MESSAGE_STEP} on one message, before it is applied; it may change the
     * message's envelope headers and body. Returns why the message is refused if the route failed, else null.
     */
    private String userStep(Exchange message) {
        // an exchange of its own: a single message is the connector route's exchange, whose error handling state a
        // failure in the user's route must not touch
        Exchange step = new DefaultExchange(message.getContext());
        step.getMessage().setHeaders(new HashMap<>(message.getMessage().getHeaders()));
        step.getMessage().setBody(message.getMessage().getBody());
        producer.send(MESSAGE_STEP, step);
        if (step.getException() != null) {
            return "refused by the route from " + MESSAGE_STEP + ": " + step.getException().getMessage();
        }
        message.getMessage().setHeaders(step.getMessage().getHeaders());
        message.getMessage().setBody(step.getMessage().getBody());
        return null;
    }

    @SuppressWarnings("unchecked")
    private static List<Exchange> batch(Exchange exchange) {
        Object body = exchange.getMessage().getBody();
        if (body instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof Exchange) {
            return (List<Exchange>) list;
        }
        return List.of(exchange);
    }

    /** The reason a message is refused for good, or null if the failure is the store's (transient). */
    private static String refusal(Throwable failure) {
        if (failure instanceof IngressRefusal) {
            return failure.getMessage();
        }
        if (failure instanceof AdtException adt && adt.error().status() < 500) {
            return adt.error().code() + ": " + adt.getMessage();
        }
        return null;
    }

    private static String reasonKind(Throwable failure) {
        return failure instanceof AdtException adt ? adt.error().code() : "Unmatched";
    }

    /**
     * A message of the batch as made ready before its unit: its envelope, its payload (null if a user step refused
     * the message) and why a user step refused it (null if none did).
     */
    private record Prepared(Exchange message, IngressMessage envelope, Payload payload, String refusedByStep) {
    }

    /** A message's payload as JSON, or why it is not JSON. */
    private record Payload(JsonNode json, IngressRefusal refusal) {

        static Payload of(IngressMessage envelope) {
            try {
                return new Payload(envelope.payload(), null);
            } catch (IngressRefusal e) {
                return new Payload(null, e);
            }
        }

        JsonNode orRefuse() {
            if (refusal != null) {
                throw refusal;
            }
            return json;
        }
    }

    /**
     * Works out each JSON message's changes ahead of its unit ({@link Speculation}), all in one read transaction;
     * null for a message whose changes the unit must work out itself.
     */
    private List<Speculation> speculate(List<Prepared> prepared) {
        return store.read(tx -> {
            long modelsVersion = tx.modelsVersion();
            Map<String, StoredTwin> readAhead = readAhead(tx, prepared);
            List<Speculation> speculations = new ArrayList<>(prepared.size());
            for (Prepared one : prepared) {
                Payload payload = one.payload();
                speculations.add(payload == null || payload.refusal() != null ? null
                        : Speculation.run(tx, readAhead, modelsVersion, speculative -> applyChanges(speculative,
                                one.message(), one.envelope(), payload.json(), true)));
            }
            return speculations;
        });
    }

    /**
     * The twins the default mapping will read for a batch, read together ahead of its speculations (on PostgreSQL one
     * round trip, not one per message), by id, null for one that does not exist: each device's twin, where its id is
     * known without a query. A rule's twins, and any not read here, are read one at a time.
     */
    private Map<String, StoredTwin> readAhead(StoreTx tx, List<Prepared> prepared) {
        Map<String, StoredTwin> twins = new HashMap<>();
        for (Prepared one : prepared) {
            String device = one.envelope().deviceId();
            String twin = device == null ? null : deviceTwins.known(device);
            if (twin != null && one.payload() != null && one.payload().refusal() == null) {
                twins.put(twin, null);
            }
        }
        if (!twins.isEmpty()) {
            tx.twinsById(twins.keySet()).forEach(twin -> twins.put(twin.id(), twin));
        }
        return twins;
    }

    /**
     * The batch's first messages, up to the first that is not the common case (a message id, and a speculation that
     * updates the one twin it read with one event), as requests to replay together ahead of their own units. Only a
     * leading run: a later message of the same twin behind one that is worked out alone would otherwise go first.
     */
    private static List<StoreTx.ReplayRequest> replayedTogether(List<Prepared> prepared,
            List<Speculation> speculations) {
        List<StoreTx.ReplayRequest> requests = new ArrayList<>();
        for (int i = 0; i < prepared.size(); i++) {
            Prepared one = prepared.get(i);
            IngressMessage envelope = one.envelope();
            StoreTx.ReplayRequest request = one.refusedByStep() != null || envelope.messageId() == null
                    || speculations.get(i) == null ? null
                    : speculations.get(i).request(seenScope(envelope), envelope.messageId());
            if (request == null) {
                break;
            }
            requests.add(request);
        }
        return requests;
    }

    /**
     * Where a message's id is recorded as seen: per source, so that two sources may use the same ids; over HTTP per
     * device too, since each sender picks its ids there (IoT Hub's {@code iothub-messageid} is one device's), and two
     * devices counting from 1 are not each other's duplicates. Brokers number their messages themselves.
     */
    private static String seenScope(IngressMessage envelope) {
        String scope = "ingress:" + envelope.source();
        return envelope.deviceId() != null && envelope.source().startsWith(IngressHeaders.HTTP_SOURCE)
                ? scope + ":device:" + envelope.deviceId() : scope;
    }

    /**
     * One message's unit. {@code replayed}: what became of it when it was replayed with the batch's first messages
     * ({@link StoreTx#replayAll}); null if it was not.
     */
    private Result applyOne(StoreTx tx, Prepared one, Speculation speculation, StoreTx.Replay replayed) {
        if (replayed == StoreTx.Replay.DUPLICATE) {
            return Result.DUPLICATE;
        }
        if (replayed == StoreTx.Replay.APPLIED) {
            return Result.APPLIED;
        }
        IngressMessage envelope = one.envelope();
        if (envelope.messageId() != null && !tx.markSeen(seenScope(envelope), envelope.messageId())) {
            return Result.DUPLICATE;
        }
        // STALE: the twin or the model set moved since the speculation, which need not be tried again
        if (replayed == null && speculation != null && speculation.replay(tx)) {
            return Result.APPLIED;
        }
        // a duplicate is dropped even if it is not JSON; any other message that is not is refused
        applyChanges(tx, one.message(), envelope, one.payload().orRefuse(), false);
        return Result.APPLIED;
    }

    /**
     * Applies the first matching rule, else the default mapping. {@code speculative}: the changes are worked out
     * ahead of the unit, so nothing may leave the store transaction (telemetry is handed on only in the unit).
     */
    private void applyChanges(StoreTx tx, Exchange message, IngressMessage envelope, JsonNode payload,
            boolean speculative) {
        Exchange evaluated = message;
        for (MappingRules.Mapping mapping : rules.rules().mappings()) {
            if (evaluated == message) {
                evaluated = forRules(message, envelope, payload);
            }
            if (mapping.matches(evaluated)) {
                applyMapping(tx, mapping, evaluated, envelope);
                return;
            }
        }
        applyDefault(tx, envelope, payload, speculative);
    }

    /**
     * The message as rules see it: the payload as text, whatever the connector's body type; the connector's headers;
     * and the envelope's fields by their short names ({@code deviceId}, {@code messageId}, {@code source},
     * {@code enqueuedTime}, {@code sourceTime}, {@code contentType}) as variables ({@code ${variable.deviceId}}, always
     * the envelope's), and as headers where the message has no header of that name (a Kafka record's own
     * {@code deviceId} header stays, though IoT Hub's device id header comes first in the envelope).
     */
    private static Exchange forRules(Exchange message, IngressMessage envelope, JsonNode payload) {
        Exchange evaluated = new DefaultExchange(message.getContext());
        evaluated.getMessage().getHeaders().putAll(message.getMessage().getHeaders());
        envelopeField(evaluated, "deviceId", envelope.deviceId());
        envelopeField(evaluated, "messageId", envelope.messageId());
        envelopeField(evaluated, "source", envelope.source());
        envelopeField(evaluated, "enqueuedTime", envelope.enqueuedTime());
        envelopeField(evaluated, "sourceTime", envelope.sourceTime());
        envelopeField(evaluated, "contentType", envelope.contentType());
        evaluated.getMessage().setBody(Json.write(payload));
        return evaluated;
    }

    private static void envelopeField(Exchange evaluated, String name, String value) {
        if (value != null) {
            evaluated.setVariable(name, value);
            evaluated.getMessage().getHeaders().putIfAbsent(name, value);
        }
    }

    private void applyMapping(StoreTx tx, MappingRules.Mapping mapping, Exchange message, IngressMessage envelope) {
        Object twinId = MappingRules.evaluate(mapping.twin(), message);
        if (twinId == null || twinId.toString().isBlank()) {
            throw new IngressRefusal("mapping " + mapping.id() + " found no twin id");
        }
        StoredTwin twin = tx.twinForUpdate(twinId.toString());
        if (twin == null) {
            throw new IngressRefusal(AdtError.DIGITAL_TWIN_NOT_FOUND, "mapping " + mapping.id() + ": twin " + twinId
                    + " does not exist");
        }
        InterfaceModel model = models.of(twin);
        String sourceTime = sourceTime(mapping, message, envelope);
        ArrayNode patch = Json.MAPPER.createArrayNode();
        for (Map.Entry<String, org.apache.camel.Expression> set : mapping.set().entrySet()) {
            Object value = MappingRules.evaluate(set.getValue(), message);
            if (value == null) {
                continue;
            }
            String path = set.getKey();
            int slash = path.indexOf('/');
            Schema schema = slash < 0 ? propertySchema(model, path)
                    : propertySchema(models.componentOf(model, twin.id(), path.substring(0, slash)),
                            path.substring(slash + 1));
            if (schema == null) {
                throw new IngressRefusal("mapping " + mapping.id() + ": " + path + " is not a property of model "
                        + model.id());
            }
            upsert(patch, "/" + path, coerce(schema, Json.MAPPER.valueToTree(value)), sourceTime);
        }
        if (patch.isEmpty()) {
            throw new IngressRefusal("mapping " + mapping.id() + " found none of its values in the message");
        }
        twins.upsert(tx, twin, patch);
    }

    /**
     * The source time of a rule's values: what its {@code sourceTime} finds ({@link #sourceTime(JsonNode, String)});
     * the envelope's when the rule has none or it finds none.
     */
    private static String sourceTime(MappingRules.Mapping mapping, Exchange message, IngressMessage envelope) {
        Object found = mapping.sourceTime() == null ? null : MappingRules.evaluate(mapping.sourceTime(), message);
        return found == null ? envelope.sourceTime()
                : sourceTime(Json.MAPPER.valueToTree(found), "mapping " + mapping.id() + ": sourceTime");
    }

    /**
     * A source time sent in a message, {@code where} naming the field, in UTC as the twin's metadata keeps it: RFC 3339
     * text, or a whole number of milliseconds since the epoch; anything else refuses the message.
     */
    private static String sourceTime(JsonNode sent, String where) {
        if (sent.isTextual()) {
            try {
                return Rfc3339.toInstant(sent.asText());
            } catch (IllegalArgumentException e) {
                throw new IngressRefusal(where + " '" + sent.asText() + "' is not an RFC 3339 date-time: "
                        + e.getMessage());
            }
        }
        if (sent.isNumber()) {
            try {
                long millis = sent.decimalValue().longValueExact();
                if (millis >= FIRST_MILLI && millis <= LAST_MILLI) {
                    return Instants.format(Instant.ofEpochMilli(millis));
                }
            } catch (ArithmeticException e) {
                // a fraction of a millisecond, or beyond a long: refused below
            }
            throw new IngressRefusal(where + " " + sent + " is not a whole number of milliseconds since the epoch"
                    + " within the years 0001 to 9999");
        }
        throw new IngressRefusal(where + " " + sent + " is not a time: send RFC 3339 text or epoch milliseconds");
    }

    private void applyDefault(StoreTx tx, IngressMessage envelope, JsonNode payload, boolean speculative) {
        String deviceId = envelope.deviceId();
        if (deviceId == null || deviceId.isBlank()) {
            throw new IngressRefusal("the message names no device, and no rule matched it");
        }
        if (!(payload instanceof ObjectNode fields)) {
            throw new IngressRefusal("the message is not a JSON object, and no rule matched it");
        }
        StoredTwin twin = twinOf(tx, deviceId);
        String twinId = twin.id();
        InterfaceModel model = models.of(twin);
        ArrayNode patch = Json.MAPPER.createArrayNode();
        ObjectNode telemetry = Json.object();
        JsonNode sentTime = sourceTimeField == null ? null : fields.get(sourceTimeField);
        String sourceTime = sentTime == null || sentTime.isNull() ? envelope.sourceTime()
                : sourceTime(sentTime, sourceTimeField + " (twingress.ingress.sourceTimeField)");
        for (Iterator<Map.Entry<String, JsonNode>> it = fields.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> field = it.next();
            if (field.getKey().equals(sourceTimeField)) {
                continue;
            }
            Content content = model.content(field.getKey());
            if (content instanceof Content.Property property) {
                upsert(patch, "/" + escape(field.getKey()), coerce(property.schema(), field.getValue()), sourceTime);
            } else if (content instanceof Content.Telemetry) {
                telemetry.set(field.getKey(), field.getValue());
            } else if (content instanceof Content.Component component && field.getValue() instanceof ObjectNode sub) {
                InterfaceModel componentModel = models.componentModel(component);
                for (Iterator<Map.Entry<String, JsonNode>> s = sub.fields(); s.hasNext();) {
                    Map.Entry<String, JsonNode> f = s.next();
                    Schema schema = componentModel == null ? null : propertySchema(componentModel, f.getKey());
                    if (schema != null) {
                        upsert(patch, "/" + escape(component.name()) + "/" + escape(f.getKey()),
                                coerce(schema, f.getValue()), sourceTime);
                    }
                }
            }
        }
        if (patch.isEmpty() && telemetry.isEmpty()) {
            throw new IngressRefusal("nothing in the message is a property or telemetry of model " + model.id()
                    + " of twin " + twinId + ", and no rule matched");
        }
        if (speculative && !telemetry.isEmpty()) {
            throw new Speculation.NotSpeculable("telemetry is handed on in the unit");
        }
        if (!patch.isEmpty()) {
            twins.upsert(tx, twin, patch);
        }
        if (!telemetry.isEmpty()) {
            publishTelemetry(twinId, model.id(), envelope, sourceTime, telemetry);
        }
    }

    /**
     * The device's twin, read for update (the patch applies to it): the twin of that id, or the one whose
     * {@link #twinIdProperty} is the device id.
     */
    private StoredTwin twinOf(StoreTx tx, String deviceId) {
        if (twinIdProperty == null) {
            StoredTwin twin = tx.twinForUpdate(deviceId);
            if (twin == null) {
                throw new IngressRefusal(AdtError.DIGITAL_TWIN_NOT_FOUND, "twin " + deviceId
                        + " (the device id) does not exist, and no rule matched");
            }
            return twin;
        }
        String known = deviceTwins.known(deviceId);
        if (known != null) {
            StoredTwin twin = tx.twinForUpdate(known);
            if (twin != null && deviceId.equals(Json.parse(twin.body()).path(twinIdProperty).asText(null))) {
                return twin;
            }
            deviceTwins.forget(deviceId, known);
        }
        List<String> found = tx.twinIdsWhere(twinIdProperty, deviceId, 2);
        if (found.isEmpty()) {
            throw new IngressRefusal(AdtError.DIGITAL_TWIN_NOT_FOUND, "no twin has " + twinIdProperty + " '"
                    + deviceId + "' (the device id), and no rule matched");
        }
        if (found.size() > 1) {
            throw new IngressRefusal("twins " + found.get(0) + " and " + found.get(1) + " both have " + twinIdProperty
                    + " '" + deviceId + "' (the device id): make it unique");
        }
        deviceTwins.remember(deviceId, found.get(0));
        return tx.twinForUpdate(found.get(0));
    }

    /** Hands telemetry to the twin-telemetry route inside the unit, as the ADT telemetry API does. */
    private void publishTelemetry(String twinId, String modelId, IngressMessage envelope, String sourceTime,
            ObjectNode telemetry) {
        Exchange sent = producer.send("direct:twin-telemetry", e -> {
            var m = e.getMessage();
            m.setHeader(TelemetryHeaders.TWIN_ID, twinId);
            m.setHeader(TelemetryHeaders.MODEL_ID, modelId);
            m.setHeader(TelemetryHeaders.MESSAGE_ID, envelope.messageId() != null ? envelope.messageId()
                    : UUID.randomUUID().toString());
            m.setHeader(TelemetryHeaders.SOURCE_TIME, sourceTime);
            m.setBody(Json.write(telemetry));
        });
        if (sent.getException() != null) {
            throw new IllegalStateException("telemetry of " + twinId + " could not be handed on", sent.getException());
        }
    }

    /** {@code add} sets a property whether it is set or not, so a first reading never fails as ADT's replace does. */
    private static void upsert(ArrayNode patch, String pointer, JsonNode value, String sourceTime) {
        patch.addObject().put("op", "add").put("path", pointer).set("value", value);
        if (sourceTime != null) {
            int slash = pointer.lastIndexOf('/');
            String metadata = slash == 0 ? "/$metadata" + pointer
                    : pointer.substring(0, slash) + "/$metadata" + pointer.substring(slash);
            patch.addObject().put("op", "add").put("path", metadata + "/sourceTime").put("value", sourceTime);
        }
    }

    private static Schema propertySchema(InterfaceModel model, String name) {
        return model != null && model.content(name) instanceof Content.Property p ? p.schema() : null;
    }

    /** Text that holds a number or a boolean becomes one when the schema wants it; the model's check does the rest. */
    static JsonNode coerce(Schema schema, JsonNode value) {
        if (!(schema instanceof Schema.Primitive primitive) || !value.isTextual()) {
            if (schema instanceof Schema.Primitive p && value.isNumber()
                    && (p.kind() == Schema.PrimitiveKind.INTEGER || p.kind() == Schema.PrimitiveKind.LONG)
                    && !value.isIntegralNumber()) {
                try {
                    return JsonNodeFactory.instance.numberNode(value.decimalValue().longValueExact());
                } catch (ArithmeticException e) {
                    return value;
                }
            }
            return value;
        }
        String text = value.asText().trim();
        try {
            return switch (primitive.kind()) {
                case DOUBLE, FLOAT -> Json.MAPPER.getNodeFactory().numberNode(new BigDecimal(text));
                case INTEGER, LONG -> JsonNodeFactory.instance.numberNode(new BigDecimal(text).longValueExact());
                case BOOLEAN -> text.equalsIgnoreCase("true") ? JsonNodeFactory.instance.booleanNode(true)
                        : text.equalsIgnoreCase("false") ? JsonNodeFactory.instance.booleanNode(false) : value;
                default -> value;
            };
        } catch (NumberFormatException | ArithmeticException e) {
            return value;
        }
    }

    private static String escape(String token) {
        return token.replace("~", "~0").replace("/", "~1");
    }
}
