package io.twingress.routes;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;

import io.twingress.event.DeadLetters;
import io.twingress.event.EgressMetrics;
import io.twingress.event.OutboxRelay;

/**
 * Publishes egress figures per endpoint in Camel's Micrometer registry (so at {@code /observe/metrics}):
 * {@code twingress_egress_delivered_total}, {@code twingress_egress_failures_total},
 * {@code twingress_egress_dead_lettered_total}, {@code twingress_egress_delivery_delay_seconds} (commit to
 * acknowledgement), and the gauges {@code twingress_egress_backlog} and {@code twingress_egress_dead_letters}.
 */
public final class EgressMeters implements EgressMetrics {

    private final CamelContext context;
    private final Map<String, Meters> byEndpoint = new ConcurrentHashMap<>();
    private volatile OutboxRelay relay;
    private volatile DeadLetters deadLetters;
    private volatile MeterRegistry registry;
    /** The endpoints that exist, as the settings last said; read and written under this object's lock. */
    private Set<String> endpoints = Set.of();

    public EgressMeters(CamelContext context) {
        this.context = context;
    }

    /** The gauges read these; they are made after this object, which they report to. */
    void gaugesFrom(OutboxRelay relay, DeadLetters deadLetters) {
        this.relay = relay;
        this.deadLetters = deadLetters;
    }

    private record Meters(List<Meter> all, Counter delivered, Counter failures, Counter deadLettered, Timer delay) {
    }

    /**
     * The meters of an endpoint that exists, made on first use; null for one that does not (a delivery of an endpoint
     * deleted meanwhile must not bring its meters back).
     */
    private Meters meters(String endpoint) {
        Meters m = byEndpoint.get(endpoint);
        return m != null ? m : create(endpoint);
    }

    private synchronized Meters create(String name) {
        if (!endpoints.contains(name)) {
            return null;
        }
        return byEndpoint.computeIfAbsent(name, n -> {
            MeterRegistry r = registry();
            Counter delivered = Counter.builder("twingress.egress.delivered").tag("endpoint", n)
                    .description("events the endpoint acknowledged").register(r);
            Counter failures = Counter.builder("twingress.egress.failures").tag("endpoint", n)
                    .description("failed attempts to send to the endpoint").register(r);
            Counter deadLettered = Counter.builder("twingress.egress.dead.lettered").tag("endpoint", n)
                    .description("events dead-lettered").register(r);
            Timer delay = Timer.builder("twingress.egress.delivery.delay").tag("endpoint", n)
                    .description("delay from commit to the endpoint's acknowledgement")
                    .publishPercentiles(0.5, 0.99).register(r);
            return new Meters(List.of(delivered, failures, deadLettered, delay,
                    gauge(r, "twingress.egress.backlog", n, e -> relay == null ? -1 : relay.backlog(e),
                            "events committed that the endpoint has not passed yet"),
                    gauge(r, "twingress.egress.dead.letters", n, e -> deadLetters == null ? -1 : deadLetters.count(e),
                            "dead letters kept in the store for the endpoint")),
                    delivered, failures, deadLettered, delay);
        });
    }

    /**
     * The endpoints are now these: each gets its meters (so that it shows from the start, before its first event),
     * and a deleted one's leave the registry.
     */
    synchronized void endpoints(Set<String> names) {
        endpoints = Set.copyOf(names);
        for (var it = byEndpoint.entrySet().iterator(); it.hasNext();) {
            var entry = it.next();
            if (!endpoints.contains(entry.getKey())) {
                entry.getValue().all().forEach(registry()::remove);
                it.remove();
            }
        }
        endpoints.forEach(this::meters);
    }

    private static Meter gauge(MeterRegistry r, String metric, String endpoint, ToDoubleFunction<String> read,
            String description) {
        return Gauge.builder(metric, endpoint, n -> {
            try {
                return read.applyAsDouble(n);
            } catch (RuntimeException e) {
                return Double.NaN;
            }
        }).tag("endpoint", endpoint).description(description).register(r);
    }

    private MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            r = registryOf(context);
            registry = r;
        }
        return r;
    }

    /** Camel's Micrometer registry (what /observe/metrics shows), or a private one when metrics are off. */
    static MeterRegistry registryOf(CamelContext context) {
        MeterRegistry r = context.getRegistry().findSingleByType(MeterRegistry.class);
        return r != null ? r : new SimpleMeterRegistry();
    }

    @Override
    public void delivered(String endpoint, int events, Duration[] delays) {
        Meters m = meters(endpoint);
        if (m != null) {
            m.delivered().increment(events);
            for (Duration d : delays) {
                m.delay().record(d);
            }
        }
    }

    @Override
    public void failed(String endpoint) {
        Meters m = meters(endpoint);
        if (m != null) {
            m.failures().increment();
        }
    }

    @Override
    public void deadLettered(String endpoint, int events) {
        Meters m = meters(endpoint);
        if (m != null) {
            m.deadLettered().increment(events);
        }
    }
}
