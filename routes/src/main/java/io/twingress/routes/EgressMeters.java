package io.twingress.routes;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
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

    public EgressMeters(CamelContext context) {
        this.context = context;
    }

    /** The gauges read these; they are made after this object, which they report to. */
    void gaugesFrom(OutboxRelay relay, DeadLetters deadLetters) {
        this.relay = relay;
        this.deadLetters = deadLetters;
    }

    private record Meters(Counter delivered, Counter failures, Counter deadLettered, Timer delay) {
    }

    private Meters meters(String endpoint) {
        return byEndpoint.computeIfAbsent(endpoint, name -> {
            MeterRegistry r = registry();
            gauge(r, "twingress.egress.backlog", name, n -> relay == null ? -1 : relay.backlog(n),
                    "events committed that the endpoint has not passed yet");
            gauge(r, "twingress.egress.dead.letters", name, n -> deadLetters == null ? -1 : deadLetters.count(n),
                    "dead letters kept in the store for the endpoint");
            return new Meters(
                    Counter.builder("twingress.egress.delivered").tag("endpoint", name)
                            .description("events the endpoint acknowledged").register(r),
                    Counter.builder("twingress.egress.failures").tag("endpoint", name)
                            .description("failed attempts to send to the endpoint").register(r),
                    Counter.builder("twingress.egress.dead.lettered").tag("endpoint", name)
                            .description("events dead-lettered").register(r),
                    Timer.builder("twingress.egress.delivery.delay").tag("endpoint", name)
                            .description("delay from commit to the endpoint's acknowledgement")
                            .publishPercentiles(0.5, 0.99).register(r));
        });
    }

    private static void gauge(MeterRegistry r, String metric, String endpoint, ToDoubleFunction<String> read,
            String description) {
        Gauge.builder(metric, endpoint, n -> {
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
        m.delivered().increment(events);
        for (Duration d : delays) {
            m.delay().record(d);
        }
    }

    @Override
    public void failed(String endpoint) {
        meters(endpoint).failures().increment();
    }

    @Override
    public void deadLettered(String endpoint, int events) {
        meters(endpoint).deadLettered().increment(events);
    }

    /** Registers an endpoint's meters before its first event, so that it shows from the start. */
    void register(String endpoint) {
        meters(endpoint);
    }
}
