package io.twingress.event;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.AdtError;
import io.twingress.Json;
import io.twingress.store.TwinStore;

/**
 * The endpoints and event routes, kept in the store so that they survive restarts and every instance sharing the
 * store sees them. Each instance caches them and reloads on {@link #refresh} (changes made through this instance
 * apply at once). Whoever runs the endpoints' delivery routes listens for changes with {@link #onChange}.
 */
public final class EgressSettings {

    private static final Logger LOG = LoggerFactory.getLogger(EgressSettings.class);

    /** How many endpoints or routes one store read takes while the cache reloads. */
    private static final int PAGE = 500;

    private final TwinStore store;
    private final EventRecorder recorder;
    private final EndpointLimits limits;
    private final Clock clock;
    private final List<Consumer<Map<String, EndpointSpec>>> listeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, EndpointSpec> endpoints = Map.of();
    private volatile Map<String, List<EventRoute>> routesByEndpoint = Map.of();

    public EgressSettings(TwinStore store, EventRecorder recorder, EndpointLimits limits, Clock clock) {
        this.store = store;
        this.recorder = recorder;
        this.limits = limits;
        this.clock = clock;
    }

    /** Called with every endpoint, by name, after each reload that may have changed them. */
    public void onChange(Consumer<Map<String, EndpointSpec>> listener) {
        listeners.add(listener);
    }

    // endpoints

    public EndpointSpec putEndpoint(String name, JsonNode body) {
        EndpointSpec parsed = EndpointSpec.parse(name, body, limits, clock.instant());
        EndpointSpec spec = store.write(tx -> {
            String stored = tx.endpoint(name);
            EndpointSpec existing = stored == null ? null : EndpointSpec.fromStored(name, stored);
            if (existing != null && existing.type() != parsed.type()) {
                throw AdtError.OPERATION_NOT_ALLOWED.with("Endpoint " + name + " is of type " + existing.type()
                        + "; its type cannot change. Delete it and create it again.");
            }
            EndpointSpec kept = existing == null ? parsed : new EndpointSpec(name, parsed.authenticationType(),
                    parsed.settings(), parsed.retryPolicy(), parsed.deadLetter(), existing.createdTime());
            tx.putEndpoint(name, kept.toStored());
            // a new endpoint delivers what is committed from now on (see outboxEnd for writes running meanwhile)
            tx.createCursor(consumer(name), tx.outboxEnd());
            return kept;
        });
        refresh();
        return spec;
    }

    public EndpointSpec endpoint(String name) {
        String stored = store.read(tx -> tx.endpoint(name));
        if (stored == null) {
            throw AdtError.ENDPOINT_NOT_FOUND.with("There is no endpoint " + name + ".");
        }
        return EndpointSpec.fromStored(name, stored);
    }

    public List<EndpointSpec> endpoints(String afterName, int limit) {
        List<EndpointSpec> found = new ArrayList<>();
        store.read(tx -> tx.endpoints(afterName, limit)).forEach((name, spec) ->
                found.add(EndpointSpec.fromStored(name, spec)));
        return found;
    }

    /** Deletes an endpoint, its place in the outbox and its dead letters; routes to it must be deleted first. */
    public void deleteEndpoint(String name) {
        store.write(tx -> {
            if (tx.endpoint(name) == null) {
                throw AdtError.ENDPOINT_NOT_FOUND.with("There is no endpoint " + name + ".");
            }
            SortedMap<String, String> routes = tx.eventRoutes(name, null, 10);
            if (!routes.isEmpty()) {
                throw AdtError.OPERATION_NOT_ALLOWED.with("Endpoint " + name + " is used by event routes "
                        + String.join(", ", routes.keySet()) + ": delete them first.");
            }
            tx.deleteEndpoint(name);
            tx.deleteCursor(consumer(name));
            for (var page = tx.deadLetters(name, 0, PAGE); !page.isEmpty(); page = tx.deadLetters(name, 0, PAGE)) {
                tx.deleteDeadLetters(page.stream().map(d -> d.id()).toList());
            }
            return null;
        });
        refresh();
    }

    /** The range a retry policy's time to live must fall in. */
    public EndpointLimits limits() {
        return limits;
    }

    /** The endpoints' names as this instance last loaded them. */
    public Set<String> endpointNames() {
        return endpoints.keySet();
    }

    /** The endpoint as this instance last loaded it, or null. */
    public EndpointSpec cachedEndpoint(String name) {
        return endpoints.get(name);
    }

    // event routes

    public EventRoute putRoute(String id, JsonNode body) {
        EventRoute route = EventRoute.parse(id, body);
        store.write(tx -> {
            if (tx.endpoint(route.endpointName()) == null) {
                throw AdtError.EVENT_ROUTE_ENDPOINT_INVALID.with("The event route's endpoint " + route.endpointName()
                        + " does not exist: create it with PUT /endpoints/" + route.endpointName() + " first.");
            }
            tx.putEventRoute(id, route.endpointName(), Json.write(route.toJson()));
            return null;
        });
        refresh();
        return route;
    }

    /** The event route {@code id}; an id no route can have is not found, as an endpoint's name is. */
    public EventRoute route(String id) {
        String stored = EventRoute.validId(id) ? store.read(tx -> tx.eventRoute(id)) : null;
        if (stored == null) {
            throw AdtError.EVENT_ROUTE_NOT_FOUND.with("There is no event route " + id + ".");
        }
        return EventRoute.fromStored(id, stored);
    }

    public List<EventRoute> routes(String afterId, int limit) {
        List<EventRoute> found = new ArrayList<>();
        store.read(tx -> tx.eventRoutes(null, afterId, limit)).forEach((id, body) ->
                found.add(EventRoute.fromStored(id, body)));
        return found;
    }

    public void deleteRoute(String id) {
        boolean deleted = EventRoute.validId(id) && store.write(tx -> tx.deleteEventRoute(id));
        if (!deleted) {
            throw AdtError.EVENT_ROUTE_NOT_FOUND.with("There is no event route " + id + ".");
        }
        refresh();
    }

    /** The routes that send to an endpoint, as this instance last loaded them. */
    public List<EventRoute> routesFor(String endpointName) {
        return routesByEndpoint.getOrDefault(endpointName, List.of());
    }

    /** Reloads endpoints and routes from the store and tells the listeners, whether they changed or not. */
    public synchronized void refresh() {
        Map<String, EndpointSpec> loadedEndpoints = new HashMap<>();
        Map<String, List<EventRoute>> loadedRoutes = new HashMap<>();
        store.read(tx -> {
            String after = null;
            for (SortedMap<String, String> page = tx.endpoints(null, PAGE); !page.isEmpty();
                    page = tx.endpoints(after, PAGE)) {
                page.forEach((name, spec) -> {
                    try {
                        loadedEndpoints.put(name, EndpointSpec.fromStored(name, spec));
                    } catch (RuntimeException e) {
                        // one stored endpoint this release cannot read must not stop the others' delivery
                        LOG.error("endpoint {} as stored cannot be read, so it does not deliver: {}", name,
                                e.getMessage());
                    }
                });
                after = page.lastKey();
            }
            after = null;
            for (SortedMap<String, String> page = tx.eventRoutes(null, null, PAGE); !page.isEmpty();
                    page = tx.eventRoutes(null, after, PAGE)) {
                page.forEach((id, body) -> {
                    EventRoute route = EventRoute.fromStored(id, body);
                    loadedRoutes.computeIfAbsent(route.endpointName(), e -> new ArrayList<>()).add(route);
                });
                after = page.lastKey();
            }
            return null;
        });
        endpoints = Map.copyOf(loadedEndpoints);
        routesByEndpoint = Map.copyOf(loadedRoutes);
        recorder.enrich(loadedRoutes.values().stream().flatMap(List::stream)
                .anyMatch(r -> r.includeState() || r.includePreviousValues()));
        // told also when nothing changed: an endpoint whose delivery failed to start is tried again
        listeners.forEach(l -> l.accept(endpoints));
    }

    /** The outbox consumer name of an endpoint's delivery. */
    public static String consumer(String endpointName) {
        return "endpoint:" + endpointName;
    }
}
