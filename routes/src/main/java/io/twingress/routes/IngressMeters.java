package io.twingress.routes;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.CamelContext;

import io.twingress.ingest.IngressMetrics;

/**
 * Ingress figures in Camel's Micrometer registry: {@code twingress_ingress_applied_total{source}} and
 * {@code twingress_ingress_dead_lettered_total{source,reason}}.
 */
final class IngressMeters implements IngressMetrics {

    private final CamelContext context;
    private volatile MeterRegistry registry;

    IngressMeters(CamelContext context) {
        this.context = context;
    }

    @Override
    public void applied(String source, int messages) {
        Counter.builder("twingress.ingress.applied").tag("source", source)
                .description("ingress messages applied to twins").register(registry()).increment(messages);
    }

    @Override
    public void deadLettered(String source, String reason) {
        Counter.builder("twingress.ingress.dead.lettered").tag("source", source).tag("reason", reason)
                .description("ingress messages kept in the dead letters").register(registry()).increment();
    }

    private MeterRegistry registry() {
        MeterRegistry r = registry;
        if (r == null) {
            r = EgressMeters.registryOf(context);
            registry = r;
        }
        return r;
    }
}
