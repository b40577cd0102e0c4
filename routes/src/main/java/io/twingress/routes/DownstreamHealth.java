package io.twingress.routes;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import io.twingress.event.EgressSettings;
import io.twingress.event.OutboxRelay;

/**
 * Reports what fails downstream of Twingress, by name with the reason: DOWN while anything does, UP otherwise. It is
 * neither a liveness nor a readiness check: an endpoint or a history sink that is down must not restart Twingress or
 * take its API out of service; it shows in {@code /observe/health}.
 */
final class DownstreamHealth extends AbstractHealthCheck {

    private final String detail;
    private final String summary;
    private final Supplier<Map<String, String>> failures;

    /**
     * @param detail   what a detail's key names before the name, e.g. {@code endpoint}
     * @param summary  what the message says of the failures after their count, e.g. {@code endpoint(s) failing}
     * @param failures why each that fails does, by name
     */
    DownstreamHealth(String id, String detail, String summary, Supplier<Map<String, String>> failures) {
        super("twingress", id);
        this.detail = detail;
        this.summary = summary;
        this.failures = failures;
    }

    /**
     * Endpoints that are failing (check {@code egress-endpoints}): retrying a send, with the last error, or whose
     * delivery cannot start.
     */
    static DownstreamHealth endpoints(EgressSettings settings, OutboxRelay relay, EgressRoutes routes) {
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
        Map<String, String> failing = new TreeMap<>(failures.get());
        Map<String, Object> details = new TreeMap<>();
        failing.forEach((name, reason) -> details.put(detail + "." + name, reason));
        builder.details(details);
        if (failing.isEmpty()) {
            builder.up();
        } else {
            builder.message(failing.size() + " " + summary + ": " + String.join(", ", failing.keySet())).down();
        }
    }
}
