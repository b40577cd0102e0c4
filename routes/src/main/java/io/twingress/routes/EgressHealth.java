package io.twingress.routes;

import java.util.Map;
import java.util.TreeMap;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import io.twingress.event.EgressSettings;
import io.twingress.event.OutboxRelay;

/**
 * Reports endpoints that are failing: DOWN while any endpoint is retrying a send, with each failing endpoint's last
 * error and since when in the details. It is neither a liveness nor a readiness check: a downstream endpoint that is
 * down must not restart Twingress or take its API out of service; it shows in {@code /observe/health}.
 */
public final class EgressHealth extends AbstractHealthCheck {

    private final EgressSettings settings;
    private final OutboxRelay relay;
    private final EgressRoutes routes;

    public EgressHealth(EgressSettings settings, OutboxRelay relay, EgressRoutes routes) {
        super("twingress", "egress-endpoints");
        this.settings = settings;
        this.relay = relay;
        this.routes = routes;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        Map<String, Object> failing = new TreeMap<>();
        Map<String, String> notStarted = routes.failed();
        for (String name : settings.endpointNames()) {
            String failure = notStarted.containsKey(name) ? "its delivery cannot start: " + notStarted.get(name)
                    : relay.failing(name);
            if (failure != null) {
                failing.put("endpoint." + name, failure);
            }
        }
        builder.details(failing);
        if (failing.isEmpty()) {
            builder.up();
        } else {
            builder.message(failing.size() + " endpoint(s) failing: " + String.join(", ", failing.keySet().stream()
                    .map(key -> key.substring("endpoint.".length())).toList())).down();
        }
    }
}
