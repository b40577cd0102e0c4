package io.twingress.event;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;

import io.cloudevents.CloudEvent;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.support.DefaultMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtError;
import io.twingress.store.DeadLetterRow;
import io.twingress.store.OutboxEvent;
import io.twingress.store.TwinStore;

/**
 * Events an endpoint could not deliver within its time to live, or that it refused for good. Each endpoint keeps
 * them where its dead-letter setting says: in the store (listed, replayed and purged through the API), as files laid
 * out as ADT writes them to blob storage ({@code <endpoint>/<yyyy>/<MM>/<dd>/<HH>/<eventId>.json}, the CloudEvent
 * as JSON), or nowhere (logged and dropped). A replayed event goes back into the outbox for its endpoint alone, as
 * the CloudEvent it was.
 */
public final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);
    private static final DateTimeFormatter HOUR_PATH = DateTimeFormatter.ofPattern("yyyy/MM/dd/HH")
            .withZone(ZoneOffset.UTC);

    /** The longest file name {@link #safeName} makes, leaving room for {@code .json}. */
    static final int MAX_NAME = 200;
    /** The longest failure reason kept: a receiver's whole reply could be megabytes. */
    static final int MAX_REASON = 2_000;
    /** Headers a dead letter carries on a Kafka topic, beside the CloudEvent in structured mode. */
    public static final String REASON_HEADER = "twingress_deadletter_reason";
    public static final String ATTEMPTS_HEADER = "twingress_deadletter_attempts";
    public static final String LAST_ATTEMPT_HEADER = "twingress_deadletter_lastattempt";

    private final TwinStore store;
    private final EgressSettings settings;
    private final EgressMetrics metrics;
    private final Clock clock;
    private final ProducerTemplate producer;

    public DeadLetters(TwinStore store, EgressSettings settings, EgressMetrics metrics, Clock clock,
            ProducerTemplate producer) {
        this.store = store;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        this.producer = producer;
    }

    /**
     * The route that puts an endpoint's dead letters on its Kafka topic (made from the Kafka send template). Its
     * name holds a '.', which no endpoint name may, so it cannot be another endpoint's.
     */
    public static String kafkaRouteName(String endpoint) {
        return endpoint + ".deadletters";
    }

    /**
     * The dead-letter channel of an endpoint's delivery route: keeps the failed unit's events with the reason, the
     * attempt count and the time. If they cannot be kept, it fails, so that the batch is not acknowledged and is sent
     * again later; a unit refused because the route is stopping is not dead-lettered either. Either way its lane halts,
     * so that the later events of its twin are not sent ahead of it.
     */
    public void record(Exchange exchange) {
        try {
            keep(exchange);
        } catch (RuntimeException e) {
            Lane lane = exchange.getProperty(OutboxRelay.LANE, Lane.class);
            if (lane != null) {
                lane.halt();
            }
            throw e;
        }
    }

    private void keep(Exchange exchange) {
        DeliveryUnit unit = exchange.getProperty(OutboxRelay.UNIT, DeliveryUnit.class);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        // a unit is dead-lettered only when its time to live ran out or the endpoint refused it for good; retries
        // also end when the route stops (Camel does not redeliver while stopping), and such a unit is sent again
        // after the restart instead
        boolean refused = OutboxRelay.hasCause(cause, PermanentDeliveryFailure.class);
        if (unit == null || OutboxRelay.hasCause(cause, RejectedExecutionException.class)
                || !refused && clock.instant().isBefore(unit.expiresAt())) {
            throw new IllegalStateException("delivery stopped before it ended; the batch is sent again later", cause);
        }
        EndpointSpec spec = settings.cachedEndpoint(unit.endpoint());
        if (spec == null) {
            throw new IllegalStateException("endpoint " + unit.endpoint() + " was deleted");
        }
        int attempts = Math.max(1, exchange.getProperty(OutboxRelay.FAILED_ATTEMPTS, 0, Integer.class));
        String reason = shortened(cause == null ? "unknown failure"
                : cause.getClass().getSimpleName() + ": " + cause.getMessage());
        String lastAttempt = clock.instant().toString();
        List<DeadLetterRow> rows = new ArrayList<>();
        for (Delivery d : unit.deliveries()) {
            rows.add(new DeadLetterRow(0, unit.endpoint(), d.event().getId(), AdtCloudEvents.structuredText(d.event()),
                    reason, attempts, lastAttempt));
        }
        switch (spec.deadLetter().type()) {
            case Store -> store.write(tx -> {
                rows.forEach(tx::insertDeadLetter);
                return null;
            });
            case Files -> rows.forEach(row -> writeFile(spec.deadLetter().directory(), row));
            case Kafka -> toKafka(exchange, unit.endpoint(), rows);
            default -> LOG.warn("endpoint {} has no dead-letter store: dropped {} events after {} attempts: {}",
                    unit.endpoint(), rows.size(), attempts, reason);
        }
        LOG.warn("endpoint {}: dead-lettered {} events after {} attempts: {}", unit.endpoint(), rows.size(), attempts,
                reason);
        metrics.deadLettered(unit.endpoint(), rows.size());
    }

    private void toKafka(Exchange failed, String endpoint, List<DeadLetterRow> rows) {
        List<Message> records = new ArrayList<>(rows.size());
        for (DeadLetterRow row : rows) {
            Message record = new DefaultMessage(failed.getContext());
            record.setHeader(EventBindings.KAFKA_KEY, row.eventId());
            record.setHeader("content-type", EventBindings.STRUCTURED_CONTENT_TYPE);
            record.setHeader(REASON_HEADER, row.reason());
            record.setHeader(ATTEMPTS_HEADER, Integer.toString(row.attempts()));
            record.setHeader(LAST_ATTEMPT_HEADER, row.lastAttempt());
            record.setBody(row.event().getBytes(StandardCharsets.UTF_8));
            records.add(record);
        }
        Exchange sent = producer.send("direct:egress-send-" + kafkaRouteName(endpoint),
                e -> e.getMessage().setBody(records));
        if (sent.getException() != null) {
            throw new IllegalStateException("cannot put dead letters of " + endpoint + " on their Kafka topic",
                    sent.getException());
        }
    }

    private void writeFile(Path root, DeadLetterRow row) {
        Path dir = root.resolve(safeName(row.endpoint())).resolve(HOUR_PATH.format(Instant.parse(row.lastAttempt())));
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(safeName(row.eventId()) + ".json"), row.event(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE,
                    StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dead letter of event " + row.eventId(), e);
        }
    }

    /** A failure's text cut to {@link #MAX_REASON} characters, saying how much was left out. */
    static String shortened(String reason) {
        return reason == null || reason.length() <= MAX_REASON ? reason
                : reason.substring(0, MAX_REASON) + "... (" + (reason.length() - MAX_REASON) + " more characters)";
    }

    /**
     * An event id as a file name: anything but letters, digits, '-', '_' and '.' is escaped, and so is a lone dot. A
     * name longer than {@link #MAX_NAME} (file systems take 255 bytes) keeps its start and ends in the SHA-256 of the
     * id, so that it stays one name per id.
     */
    static String safeName(String id) {
        String name = escapedName(id);
        if (name.length() <= MAX_NAME) {
            return name;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return name.substring(0, MAX_NAME - 65) + "~" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }

    private static String escapedName(String id) {
        StringBuilder out = new StringBuilder();
        for (char c : id.toCharArray()) {
            if (Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.') {
                out.append(c);
            } else {
                out.append(String.format("%%%04X", (int) c));
            }
        }
        String name = out.toString();
        return name.equals(".") || name.equals("..") ? name.replace(".", "%002E") : name;
    }

    /** One page of an endpoint's dead letters after {@code afterId}. */
    public List<DeadLetterRow> list(String endpoint, long afterId, int limit) {
        requireStored(endpoint);
        return store.read(tx -> tx.deadLetters(endpoint, afterId, limit));
    }

    /**
     * One of an endpoint's dead letters, by the id of the event it holds. Event ids need not be unique (a telemetry
     * event's is its sender's message id): one held by several letters is refused rather than one picked.
     */
    public DeadLetterRow get(String endpoint, String eventId) {
        requireStored(endpoint);
        List<DeadLetterRow> found = store.read(tx -> tx.deadLettersByEvent(endpoint, List.of(eventId), 2));
        if (found.isEmpty()) {
            throw AdtError.DEAD_LETTER_NOT_FOUND.with("Endpoint " + endpoint + " has no dead letter of event "
                    + eventId + ".");
        }
        if (found.size() > 1) {
            throw AdtError.CONFLICT.with("More than one dead letter of endpoint " + endpoint + " holds event " + eventId
                    + " (senders chose the same message id); list them with GET /endpoints/" + endpoint
                    + "/deadletters.");
        }
        return found.get(0);
    }

    /**
     * Sends dead letters again: those with the given event ids, or all if {@code eventIds} is null, at most
     * {@code limit} per call. They leave the dead letters and join the outbox for this endpoint in one unit.
     * Returns how many.
     */
    public int replay(String endpoint, Collection<String> eventIds, int limit) {
        requireStored(endpoint);
        Instant now = clock.instant();
        return store.write(tx -> {
            List<DeadLetterRow> rows = tx.deadLettersByEvent(endpoint, eventIds, limit);
            for (DeadLetterRow row : rows) {
                CloudEvent event = AdtCloudEvents.parseStructured(row.event());
                tx.appendEvent(new OutboxEvent(null, now.toEpochMilli(), event.getId(), event.getType(),
                        event.getSource().toString(), event.getSubject(), now.toString(), null, null, row.event(), null,
                        endpoint));
            }
            tx.deleteDeadLetters(rows.stream().map(DeadLetterRow::id).toList());
            return rows.size();
        });
    }

    /** Deletes dead letters: those with the given event ids, or all if null, at most {@code limit}. */
    public int purge(String endpoint, Collection<String> eventIds, int limit) {
        requireStored(endpoint);
        return store.write(tx -> tx.deleteDeadLetters(tx.deadLettersByEvent(endpoint, eventIds, limit).stream()
                .map(DeadLetterRow::id).toList()));
    }

    public long count(String endpoint) {
        return store.read(tx -> tx.countDeadLetters(endpoint));
    }

    private void requireStored(String endpoint) {
        EndpointSpec spec = settings.endpoint(endpoint);
        if (spec.deadLetter().type() != DeadLetter.Type.Store) {
            throw AdtError.OPERATION_NOT_ALLOWED.with("Endpoint " + endpoint + " keeps its dead letters "
                    + (spec.deadLetter().type() == DeadLetter.Type.Files ? "as files under "
                    + spec.deadLetter().directory() : "nowhere (deadLetter.type " + spec.deadLetter().type() + ")")
                    + "; only dead letters kept in the store (deadLetter.type Store) are listed and replayed here.");
        }
    }
}
