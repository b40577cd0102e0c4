package io.twingress.routes;

import java.util.Map;
import java.util.TreeMap;

import org.apache.camel.CamelContext;
import org.apache.camel.ExtendedStartupListener;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.support.service.ServiceSupport;

import io.twingress.event.DeadLetters;
import io.twingress.event.EgressSettings;
import io.twingress.event.OutboxRelay;
import io.twingress.routes.health.DownstreamHealth;

/**
 * Once every route runs: starts the delivery routes of the endpoints in the store, keeps them in step with every
 * later change, and registers the endpoints' health check and meters.
 */
final class EgressStarted implements ExtendedStartupListener {

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
    }

    @Override
    public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
        var registry = context.getRegistry();
        EgressSettings settings = registry.lookupByNameAndType("egressSettings", EgressSettings.class);
        OutboxRelay relay = registry.lookupByNameAndType("outboxRelay", OutboxRelay.class);
        EgressMeters meters = registry.lookupByNameAndType("egressMetrics", EgressMeters.class);
        meters.gaugesFrom(relay, registry.lookupByNameAndType("deadLetters", DeadLetters.class));
        EgressRoutes routes = new EgressRoutes(context, relay);
        settings.onChange(endpoints -> {
            // the meters first: a route that starts delivering reports to them at once
            meters.endpoints(endpoints.keySet());
            routes.apply(endpoints);
        });
        HealthCheckRegistry health = HealthCheckRegistry.get(context);
        if (health != null) {
            health.register(endpointsHealth(settings, relay, routes));
        }
        settings.refresh();
        try {
            // services stop after the routes: by then no delivery runs, and the leases can be let go
            context.addService(new ServiceSupport() {
                @Override
                protected void doStop() {
                    relay.releaseLeases();
                }
            });
        } catch (Exception e) {
            throw new IllegalStateException("cannot register the egress shutdown", e);
        }
    }

    /**
     * Endpoints that are failing (check {@code egress-endpoints}): retrying a send, with the last error, or whose
     * delivery cannot start.
     */
    private static DownstreamHealth endpointsHealth(EgressSettings settings, OutboxRelay relay, EgressRoutes routes) {
        return new DownstreamHealth("egress-endpoints", "endpoint", "endpoint(s) failing", () -> {
            Map<String, String> failing = new TreeMap<>();
            Map<String, String> notStarted = routes.failed();
            for (String name : settings.endpointNames()) {
                String failure = notStarted.containsKey(name) ? "its delivery cannot start: " + notStarted.get(name)
                        : relay.failing(name);
                if (failure != null) {
                    failing.put(name, failure);
                }
            }
            return failing;
        });
    }
}
