package io.twingress.event;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.Json;
import io.twingress.store.OutboxEvent;
import io.twingress.store.OutboxPosition;
import io.twingress.store.TwinStore;

/**
 * Moves events from the outbox to one endpoint, for its delivery route: {@link #nextBatch} reads the events after
 * the endpoint's cursor and keeps those its routes' filters pass, as lanes of units to send (one lane per twin,
 * relationship or twin's telemetry, in commit order: the route sends lanes at once and a lane's units one after
 * another); {@link #bind} turns a unit into the message the endpoint's protocol binding wants; {@link #acknowledge}
 * moves the cursor past the batch once every unit was delivered or dead-lettered. The route's error handler retries a
 * unit while {@link #retryWhile} says so, then hands it to {@link DeadLetters}.
 *
 * <p>An instance delivers an endpoint only while it holds the endpoint's lease in the store, so instances sharing a
 * PostgreSQL take turns, and a dead instance's endpoints are taken over when its lease runs out.
 */
public final class OutboxRelay {

    private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
    private static final Duration BATCH_RETRY_FIRST = Duration.ofSeconds(1);
    private static final Duration BATCH_RETRY_MAX = Duration.ofMinutes(1);

    /** Exchange properties the delivery route carries between the steps. */
    public static final String UNIT = "TwingressDeliveryUnit";
    public static final String LANE = "TwingressLane";
    public static final String BATCH_END = "TwingressBatchEnd";
    public static final String MORE = "TwingressMore";
    /** How many times the unit was sent and failed. */
    public static final String FAILED_ATTEMPTS = "TwingressFailedAttempts";

    private final TwinStore store;
    private final EgressSettings settings;
    private final EventBindings bindings;
    private final EgressMetrics metrics;
    private final String instanceId;
    private final Clock clock;
    private final int batchSize;
    private final Duration lease;
    private final Map<String, EndpointState> states = new ConcurrentHashMap<>();

    public OutboxRelay(TwinStore store, EgressSettings settings, EventBindings bindings, EgressMetrics metrics,
            String instanceId, Clock clock, int batchSize, Duration lease) {
        this.store = store;
        this.settings = settings;
        this.bindings = bindings;
        this.metrics = metrics;
        this.instanceId = instanceId;
        this.clock = clock;
        this.batchSize = batchSize;
        this.lease = lease;
    }

    /** What this instance knows of one endpoint's delivery. */
    static final class EndpointState {
        final CursorLease cursor;
        /** The last failure while it is being retried; null once a send succeeded. */
        volatile String failing;
        volatile Instant failingSince;
        /** Whether a batch was read and not yet acknowledged: found so at the next read, it failed. */
        volatile boolean open;
        /** Batches that failed in a row, and when the next may be read. */
        volatile int failedBatches;
        volatile Instant notBefore;

        EndpointState(CursorLease cursor) {
            this.cursor = cursor;
        }
    }

    /** This instance's name in the outbox leases. */
    public String instanceId() {
        return instanceId;
    }

    /**
     * Sets the body to the next batch's lanes of units (possibly none) and {@link #MORE} if a full batch was read.
     */
    public void nextBatch(Exchange exchange, String endpoint) {
        exchange.removeProperty(BATCH_END);
        exchange.setProperty(MORE, false);
        exchange.getMessage().setBody(List.of());
        EndpointSpec spec = settings.cachedEndpoint(endpoint);
        EndpointState state = states.computeIfAbsent(endpoint, e -> new EndpointState(new CursorLease(store,
                EgressSettings.consumer(e), instanceId, clock, lease)));
        if (spec == null || !state.cursor.hold()) {
            return;
        }
        Instant now = clock.instant();
        if (state.open) {
            // the batch failed as a whole (a dead letter that could not be kept, say): it is read again, but after
            // a pause that doubles with each failure, not at every poll with the events already sent in it
            state.open = false;
            state.failedBatches++;
            state.notBefore = now.plus(batchRetryDelay(state.failedBatches));
            LOG.warn("endpoint {}: a batch failed ({} in a row); it is read again at {}", endpoint,
                    state.failedBatches, state.notBefore);
        }
        if (state.notBefore != null && now.isBefore(state.notBefore)) {
            return;
        }
        OutboxPosition after = state.cursor.position();
        List<OutboxEvent> events = store.read(tx -> tx.eventsAfter(after, batchSize));
        if (events.isEmpty()) {
            return;
        }
        state.open = true;
        exchange.getMessage().setBody(lanes(spec, events));
        exchange.setProperty(BATCH_END, events.get(events.size() - 1).position());
        exchange.setProperty(MORE, events.size() == batchSize);
    }

    /**
     * The batch's deliveries to this endpoint as lanes: one unit for an endpoint that takes batches, else a lane per
     * source and subject (a twin, a relationship, a twin's telemetry or one component's) holding its events in commit
     * order, each its own unit. Lanes are sent at once and a lane's units one after another, each retried until
     * delivered or dead-lettered before the next: a twin's changes reach the endpoint in the order they were made,
     * as a receiver keeping a copy of the twin needs.
     */
    static List<Lane> lanes(String endpoint, boolean takesBatches, List<Delivery> deliveries) {
        if (deliveries.isEmpty()) {
            return List.of();
        }
        if (takesBatches) {
            return List.of(new Lane(List.of(new DeliveryUnit(endpoint, deliveries))));
        }
        Map<List<String>, List<DeliveryUnit>> byLane = new LinkedHashMap<>();
        for (Delivery delivery : deliveries) {
            // telemetry names its twin in the source and only a component, if any, in the subject
            List<String> key = Arrays.asList(String.valueOf(delivery.event().getSource()),
                    delivery.event().getSubject());
            byLane.computeIfAbsent(key, k -> new ArrayList<>()).add(new DeliveryUnit(endpoint, List.of(delivery)));
        }
        return byLane.values().stream().map(Lane::new).toList();
    }

    private List<Lane> lanes(EndpointSpec spec, List<OutboxEvent> events) {
        List<EventRoute> routes = settings.routesFor(spec.name());
        Duration ttl = spec.retryPolicy().timeToLive();
        List<Delivery> deliveries = new ArrayList<>();
        for (OutboxEvent row : events) {
            Instant expires = Instant.ofEpochMilli(row.recorded()).plus(ttl);
            if (row.onlyFor() != null) {
                if (row.onlyFor().equals(spec.name())) {
                    deliveries.add(new Delivery(row.position(), null, AdtCloudEvents.of(row, null), expires));
                }
                continue;
            }
            Map<String, String> attributes = null;
            JsonNode data = null;
            for (EventRoute route : routes) {
                EventFilter filter = route.filter();
                boolean matches;
                if (filter.isConstant()) {
                    matches = filter.constantValue();
                } else {
                    if (attributes == null) {
                        attributes = AdtCloudEvents.attributes(row);
                        data = Json.parse(row.data());
                    }
                    matches = filter.matches(attributes, data);
                }
                if (matches) {
                    deliveries.add(new Delivery(row.position(), route.id(), AdtCloudEvents.of(row, route), expires));
                }
            }
        }
        return lanes(spec.name(), bindings.takesBatches(spec), deliveries);
    }

    /** Turns the unit in {@link #UNIT} into the endpoint's message; the unit stays there for the error handler. */
    public void bind(Exchange exchange) {
        DeliveryUnit unit = exchange.getProperty(UNIT, DeliveryUnit.class);
        if (unit == null) {
            // not a delivery (a dead letter on its way to a Kafka topic): the body is already what is sent
            return;
        }
        EndpointSpec spec = settings.cachedEndpoint(unit.endpoint());
        if (spec == null) {
            throw new IllegalStateException("endpoint " + unit.endpoint() + " was deleted");
        }
        bindings.bind(exchange, spec, unit);
    }

    /** Moves the endpoint's cursor past the batch just sent. */
    public void acknowledge(Exchange exchange, String endpoint) {
        OutboxPosition end = exchange.getProperty(BATCH_END, OutboxPosition.class);
        if (end == null) {
            return;
        }
        EndpointState state = states.get(endpoint);
        if (state == null) {
            // the endpoint was deleted or replaced meanwhile; its new route starts from the store's position
            return;
        }
        state.open = false;
        state.failedBatches = 0;
        state.notBefore = null;
        if (!state.cursor.advance(end)) {
            // another instance took the endpoint over; it sends from its own position
            LOG.info("endpoint {} was taken over by another instance", endpoint);
        }
    }

    /** How long a batch that failed as a whole waits to be read again: 1 s, doubling with each failure, up to 1 min. */
    static Duration batchRetryDelay(int failures) {
        Duration delay = BATCH_RETRY_FIRST.multipliedBy(1L << Math.min(failures - 1, 6));
        return delay.compareTo(BATCH_RETRY_MAX) > 0 ? BATCH_RETRY_MAX : delay;
    }

    /** Called after each unit the endpoint accepted. */
    public void delivered(Exchange exchange) {
        DeliveryUnit unit = exchange.getProperty(UNIT, DeliveryUnit.class);
        if (unit == null) {
            return;
        }
        EndpointState state = states.get(unit.endpoint());
        if (state != null) {
            state.failing = null;
            state.failingSince = null;
        }
        Instant now = clock.instant();
        Duration[] delays = new Duration[unit.deliveries().size()];
        for (int i = 0; i < delays.length; i++) {
            OffsetDateTime time = unit.deliveries().get(i).event().getTime();
            delays[i] = time == null ? Duration.ZERO : Duration.between(time.toInstant(), now);
        }
        metrics.delivered(unit.endpoint(), delays.length, delays);
    }

    /**
     * True while a failed unit should be sent again: its events have not yet lived their time to live, and the
     * endpoint did not refuse them for good. A failure outside a unit (the store could not be read) is retried.
     */
    public boolean retryWhile(Exchange exchange) {
        DeliveryUnit unit = exchange.getProperty(UNIT, DeliveryUnit.class);
        Throwable failure = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        LOG.debug("send failed, retry decision for {}: {}", unit == null ? "a batch" : unit.endpoint(),
                failure == null ? null : failure.toString());
        if (unit == null) {
            return true;
        }
        exchange.setProperty(FAILED_ATTEMPTS, exchange.getProperty(FAILED_ATTEMPTS, 0, Integer.class) + 1);
        EndpointState state = states.get(unit.endpoint());
        if (state != null) {
            state.failing = failure == null ? "unknown failure" : String.valueOf(failure.getMessage());
            if (state.failingSince == null) {
                state.failingSince = clock.instant();
            }
        }
        metrics.failed(unit.endpoint());
        if (failure instanceof RejectedExecutionException || hasCause(failure, PermanentDeliveryFailure.class)) {
            return false;
        }
        return clock.instant().isBefore(unit.expiresAt());
    }

    /** Renews the leases this instance holds, so that a long retry does not lose its endpoint to another instance. */
    public void renewLeases() {
        states.values().forEach(state -> state.cursor.renew());
    }

    /** Forgets what it knew of an endpoint whose route stopped, letting go of its lease. */
    public void forget(String endpoint) {
        EndpointState state = states.remove(endpoint);
        if (state != null) {
            state.cursor.release();
        }
    }

    /** Lets go of every lease this instance holds (it is stopping), so that another instance takes over at once. */
    public void releaseLeases() {
        List.copyOf(states.keySet()).forEach(this::forget);
    }

    /** The endpoint's failure while it is being retried, with when it began; null if it is delivering. */
    public String failing(String endpoint) {
        EndpointState state = states.get(endpoint);
        return state == null || state.failing == null ? null : state.failing + " (since " + state.failingSince + ")";
    }

    /** Events committed after the endpoint's cursor (all of them, matched by its routes or not); -1 if unknown. */
    public long backlog(String endpoint) {
        EndpointState state = states.get(endpoint);
        OutboxPosition position = state == null ? null : state.cursor.position();
        if (position == null) {
            return -1;
        }
        OutboxPosition head = store.read(tx -> tx.outboxHead());
        return Math.max(0, head.seq() - position.seq());
    }

    static boolean hasCause(Throwable failure, Class<? extends Throwable> type) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
