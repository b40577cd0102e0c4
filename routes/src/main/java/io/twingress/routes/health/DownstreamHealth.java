package io.twingress.routes.health;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

/**
 * Reports what fails outside Twingress, by name with the reason: DOWN while anything does, UP otherwise. Downstream,
 * the event endpoints and history sinks; upstream, an ingress connector's consumers. It is neither a liveness nor a
 * readiness check: an endpoint, a history sink or a source that is down must not restart Twingress or take its API
 * out of service; it shows in {@code /observe/health}.
 */
public final class DownstreamHealth extends AbstractHealthCheck {

    private final String detail;
    private final String summary;
    private final Supplier<Map<String, String>> failures;

    /**
     * @param detail   what a detail's key names before the name, e.g. {@code endpoint}
     * @param summary  what the message says of the failures after their count, e.g. {@code endpoint(s) failing}
     * @param failures why each that fails does, by name
     */
    public DownstreamHealth(String id, String detail, String summary, Supplier<Map<String, String>> failures) {
        super("twingress", id);
        this.detail = detail;
        this.summary = summary;
        this.failures = failures;
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
