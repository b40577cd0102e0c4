package io.twingress.routes;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.twingress.event.RetryPolicy;

/**
 * Routes made from templates, one group per named spec (an endpoint, a history connection's sink), kept in step with
 * the specs wanted: {@link #apply} adds a group for a new spec, makes it again for a changed one, and removes it for
 * one that is gone. A group that fails to start is removed, and the next {@link #apply} tries again.
 *
 * @param <S> the spec a group is made from; equal specs make the same routes
 */
abstract class TemplatedRoutes<S> {

    private static final Logger LOG = LoggerFactory.getLogger(TemplatedRoutes.class);

    protected final CamelContext context;
    /** What each running group was made from. */
    private final Map<String, S> running = new HashMap<>();

    TemplatedRoutes(CamelContext context) {
        this.context = context;
    }

    synchronized void apply(Map<String, ? extends S> wanted) {
        for (String name : Map.copyOf(running).keySet()) {
            if (!wanted.containsKey(name)) {
                remove(name);
            }
        }
        wanted.forEach((name, spec) -> {
            if (!spec.equals(running.get(name))) {
                remove(name);
                try {
                    add(name, spec);
                    running.put(name, spec);
                } catch (Exception e) {
                    // the spec stays in the store; the next apply tries again
                    LOG.error("cannot start {}: {}", describe(name), e.getMessage(), e);
                    remove(name);
                }
            }
        });
    }

    /** The names of the groups running now. */
    synchronized Set<String> running() {
        return Set.copyOf(running.keySet());
    }

    /** Makes and starts the group's routes. */
    protected abstract void add(String name, S spec) throws Exception;

    /** The id of every route {@link #add} may have made for the name. */
    protected abstract List<String> routeIds(String name);

    /** Lets go of what the group held besides its routes (registry entries, leases), once they are removed. */
    protected abstract void released(String name);

    /** The group, for a log line: e.g. "the delivery routes of endpoint x". */
    protected abstract String describe(String name);

    /** The retry parameters the delivery templates share. */
    static void retry(RetryPolicy retry, Map<String, Object> parameters) {
        parameters.put("initialDelay", retry.initialDelay().toMillis());
        parameters.put("maxDelay", retry.maxDelay().toMillis());
        parameters.put("multiplier", retry.multiplier());
        parameters.put("jitter", retry.jitter());
    }

    private void remove(String name) {
        running.remove(name);
        for (String id : routeIds(name)) {
            if (context.getRoute(id) == null) {
                continue;
            }
            try {
                context.getRouteController().stopRoute(id);
                context.removeRoute(id);
            } catch (Exception e) {
                LOG.warn("cannot remove route {}: {}", id, e.getMessage());
            }
        }
        released(name);
    }
}
